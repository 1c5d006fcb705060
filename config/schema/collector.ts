/**
 * Collector mode: the OTLP receiver (HTTP and gRPC) that takes spans from many services, and the decision API
 * that serves levels, verdicts and overrides back to them.
 */
import { z } from 'zod';
import { withUnitNames } from './unit-names.ts';
import { duration, formatMs, port, size, whenValid } from './units.ts';

/** RFC 6750 §2.1 `b64token`: all an `Authorization: Bearer` header can carry. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const B64TOKEN_CHARACTER = /[A-Za-z0-9\-._~+/=]/;

/**
 * Why `token` cannot be sent as a bearer token, naming the first character that cannot (never the
 * secret itself); `undefined` when it can.
 */
function bearerSecretProblem(token: string): string | undefined {
  if (B64TOKEN.test(token)) return undefined;
  const rule =
    'a token may hold only letters, digits and -._~+/, with = only at the end (RFC 6750 b64token: all an Authorization: Bearer header can carry)';
  if (/\s$/.test(token)) {
    const what = /[\r\n]$/.test(token) ? 'a newline' : 'whitespace';
    return `${rule}; found ${what} at the end: a secret file's trailing newline? (strip it where the secret is read)`;
  }
  const at = [...token].findIndex((character) => !B64TOKEN_CHARACTER.test(character));
  const character = [...token][at] as string | undefined;
  if (character === undefined) return `${rule}; found = before the end`;
  const code = `U+${(character.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
  return `${rule}; found ${/\s/.test(character) ? 'whitespace' : 'the character'} ${code} at character ${at + 1}`;
}

/** A secret of `api.tokens` or `receiver.tokens`: at least 16 characters, a `b64token`. */
function bearerSecret() {
  return z
    .string()
    .min(16, 'tokens must be at least 16 characters')
    .superRefine((token, ctx) => {
      const problem = bearerSecretProblem(token);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    });
}

/** A bearer token OTLP senders present to the receiver, optionally bound to one tenant. */
const receiverTokenSchema = z.strictObject({
  name: z.string().min(1).meta({ description: 'Who holds the token; named in refusals.' }),
  token: bearerSecret(),
  namespace: z.string().min(1).optional().meta({
    description:
      'The only service.namespace this sender may send for (other namespaces: 403); resources without one get it. Omitted: any namespace.',
  }),
});

/**
 * Each secret once: a request is matched to the first entry with its secret, so a second entry with
 * the same secret could never be used, or (in the other order) would silently lose a tenant
 * binding or a scope. Two entries may share a name (a token being rotated), never a secret.
 */
function uniqueSecrets(
  tokens: readonly { readonly name: string; readonly token: string }[],
  ctx: z.RefinementCtx,
) {
  const first = new Map<string, number>();
  tokens.forEach(({ token }, i) => {
    const j = first.get(token);
    if (j === undefined) first.set(token, i);
    else
      ctx.addIssue({
        code: 'custom',
        path: [i, 'token'],
        message: `the same secret as tokens[${j}] ("${tokens[j]?.name}"): each secret may be configured once, with its scopes and namespace; give this entry its own secret`,
      });
  });
}

/** The OTLP/gRPC listener of the receiver; limits and tokens are the receiver's own. */
const grpcSchema = z
  .strictObject({
    enabled: z.boolean().default(true).meta({
      description: 'The OTLP/gRPC listener (TraceService and MetricsService Export); false turns it off.',
    }),
    host: z.string().min(1).prefault('127.0.0.1'),
    port: port.default(4317),
  })
  .prefault({});

export const receiverSchema = withUnitNames(
  z.strictObject({
    enabled: z.boolean().default(true),
    tokens: z.array(receiverTokenSchema).superRefine(uniqueSecrets).default([]).meta({
      description:
        'Bearer tokens OTLP senders must present (Authorization: Bearer <token>); empty: no authentication, single-tenant.',
    }),
    host: z.string().min(1).prefault('127.0.0.1'),
    port: port.default(4318),
    grpc: grpcSchema,
    maxBodySize: size().prefault('4MiB').meta({ description: 'Largest request body, after decompression.' }),
    maxQueuedRequests: z.number().int().min(1).default(64).meta({
      description:
        'Room for this many full-size bodies in memory at once (maxQueuedRequests x maxBodySize bytes).',
    }),
    maxMemory: size().prefault('512MiB').meta({ description: 'Refuse with 503 above this heap use.' }),
    retryAfter: duration().prefault('1s'),
    maxClockSkew: duration({ minMs: 0 }).prefault('24h').meta({
      description:
        "Largest offset of a sender's clock the receiver corrects by re-timing its spans to arrival; 0s turns re-timing off.",
    }),
    headersTimeout: duration()
      .prefault('10s')
      .meta({ description: 'Request line and headers must arrive within this; else 408.' }),
    bodyTimeout: duration()
      .prefault('30s')
      .meta({ description: 'The whole body must arrive within this after the headers; else 408.' }),
    minBodyRate: size().prefault('1KiB').meta({
      description: 'Bytes per second a body must average once bodyRateGracePeriod has passed; else 408.',
    }),
    bodyRateGracePeriod: duration()
      .prefault('2s')
      .meta({ description: 'Time a body may take before minBodyRate applies.' }),
    maxConnections: z.number().int().min(1).optional().meta({
      description: "Most open connections; default: three quarters of the process's file descriptors.",
    }),
  }),
  {
    maxBodySize: 'maxBodyBytes',
    maxMemory: 'maxMemoryBytes',
    retryAfter: 'retryAfterMs',
    maxClockSkew: 'maxClockSkewMs',
    headersTimeout: 'headersTimeoutMs',
    bodyTimeout: 'bodyTimeoutMs',
    minBodyRate: 'minBodyBytesPerSecond',
    bodyRateGracePeriod: 'bodyRateGracePeriodMs',
  },
);

const SCOPES = ['read', 'override'] as const;

const tokenSchema = z.strictObject({
  name: z.string().min(1),
  token: bearerSecret(),
  scopes: z.array(z.enum(SCOPES)).min(1),
  namespace: z
    .string()
    .optional()
    .meta({ description: 'Binds the token to one service.namespace (tenant).' }),
});

export const apiSchema = withUnitNames(
  z
    .strictObject({
      enabled: z.boolean().default(true),
      host: z.string().min(1).prefault('127.0.0.1'),
      port: port.default(4320),
      tokens: z.array(tokenSchema).superRefine(uniqueSecrets).default([]),
      anonymous: z
        .array(z.enum(SCOPES))
        .default([])
        .meta({ description: 'Scopes granted without a token; empty means no token, no access.' }),
      allowedHosts: z
        .array(
          z.string().regex(/^\.?(?:[A-Za-z0-9_-]+\.)*[A-Za-z0-9_-]+\.?$/, {
            message:
              'expected a host name such as headroom.internal, or .example.com for it and every subdomain (no scheme, port or path)',
          }),
        )
        .default([])
        .meta({
          description:
            "While api.anonymous grants access: host names (Host header) answered besides localhost, IP addresses, the listener's host and ui.externalUrl's host (others get 403, against DNS rebinding); .example.com allows every subdomain.",
        }),
      historySize: z.number().int().min(1).default(1000),
      headersTimeout: duration()
        .prefault('10s')
        .meta({ description: 'Request line and headers must arrive within this; else 408.' }),
      requestTimeout: duration()
        .prefault('30s')
        .meta({ description: 'The whole request (headers and body) must arrive within this; else 408.' }),
      keepAliveTimeout: duration()
        .prefault('5s')
        .meta({ description: 'An idle keep-alive connection is closed after this.' }),
      maxStreams: z.number().int().min(1).optional().meta({
        description:
          "Most streams (decision and live view) open at once; default: from the process's file descriptors.",
      }),
      maxStreamsPerToken: z.number().int().min(1).default(64).meta({
        description: 'Most streams (decision and live view) one token (or anonymous access) may hold open.',
      }),
      maxPendingSize: size().prefault('128MiB').meta({
        description:
          'Most bytes the answers of the live view and the decision stream may hold, all together, until their clients read them (a view shared by N readers counts once). Past it, new streams and GET /api/v1/view get 503 with Retry-After, and a stream that is behind is cut at its next write.',
      }),
    })
    .superRefine(
      (api, ctx) => {
        if (api.headersTimeout > api.requestTimeout) {
          ctx.addIssue({
            code: 'custom',
            path: ['headersTimeout'],
            message: `api.headersTimeout (${formatMs(api.headersTimeout)}) must be at most api.requestTimeout (${formatMs(api.requestTimeout)})`,
          });
        }
      },
      whenValid('headersTimeout', 'requestTimeout'),
    ),
  {
    headersTimeout: 'headersTimeoutMs',
    requestTimeout: 'requestTimeoutMs',
    keepAliveTimeout: 'keepAliveTimeoutMs',
    maxPendingSize: 'maxPendingBytes',
  },
);
