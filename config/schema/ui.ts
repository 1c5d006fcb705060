/**
 * The live view (`ui`): the page and its API (`/ui/`, `/api/v1/view`), on the decision API's listener
 * in collector mode and on a listener of its own in embedded mode; the history ring it keeps per
 * operation; the external URL alert annotations link to.
 */
import { z } from 'zod';
import { withUnitNames } from './unit-names.ts';
import { duration, formatMs, port, whenValid } from './units.ts';

/** Most points one operation's history keeps (`length / resolution`): 44 bytes each. */
const MAX_HISTORY_POINTS = 10_000;

const historySchema = withUnitNames(
  z
    .strictObject({
      resolution: duration({ minMs: 1000, maxMs: 3_600_000 }).prefault('10s').meta({
        description:
          'Time between two points of the points of an operation history (sampled on the agent tick).',
      }),
      length: duration({ maxMs: 7 * 86_400_000 })
        .prefault('15m')
        .meta({
          description: 'How far back the history of each operation reaches (length / resolution points).',
        }),
    })
    .superRefine(
      (history, ctx) => {
        const points = Math.ceil(history.length / history.resolution);
        if (history.length < history.resolution) {
          ctx.addIssue({
            code: 'custom',
            path: ['length'],
            message: `ui.history.length (${formatMs(history.length)}) must be at least ui.history.resolution (${formatMs(history.resolution)})`,
          });
        } else if (points > MAX_HISTORY_POINTS) {
          ctx.addIssue({
            code: 'custom',
            path: ['length'],
            message: `ui.history.length (${formatMs(history.length)}) / ui.history.resolution (${formatMs(history.resolution)}) is ${points} points; at most ${MAX_HISTORY_POINTS}`,
          });
        }
      },
      whenValid('resolution', 'length'),
    ),
  { resolution: 'resolutionMs', length: 'lengthMs' },
);

const EXAMPLE_URL = 'https://headroom.example.com';

/**
 * Why `text` cannot be `ui.externalUrl`, or undefined. Links append
 * `/ui/services/<namespace>/<service>` to it and the generated rules paste it into a Prometheus
 * template, so it must be an origin only: scheme, host, optional port.
 */
function externalUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    url = new URL('invalid:');
  }
  if (!/^https?:\/\/[^/\s]/i.test(text) || /\s/.test(text) || url.host === '') {
    return `expected an absolute http:// or https:// URL such as ${EXAMPLE_URL} (or empty for none), got "${text}"`;
  }
  if (!/^(?:[a-z0-9_-]+\.)*[a-z0-9_-]+\.?$|^\[[0-9a-f:.]+\]$/.test(url.hostname)) {
    return `the host "${url.hostname}" is not a DNS name or IP address`;
  }
  if (url.username !== '' || url.password !== '') {
    return `must not hold a user name or password (every alert would carry it); give the address people open, e.g. ${url.protocol}//${url.host}`;
  }
  if (text.includes('?') || text.includes('#')) {
    return `must not have a query (?) or fragment (#): links append /ui/services/<namespace>/<service> to it; e.g. ${url.protocol}//${url.host}`;
  }
  if (!/^\/+$/.test(url.pathname)) {
    return `must be the root of a host, e.g. ${url.protocol}//${url.host}: the page and its API are served at /ui/ and /api/v1/view of their host, so a path prefix (${url.pathname.replace(/\/+$/, '')}) is not supported; publish Headroom at the root of a host name of its own`;
  }
  return undefined;
}

const externalUrl = z
  .string()
  .superRefine((text, ctx) => {
    const problem = text === '' ? undefined : externalUrlProblem(text);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((text) => (text === '' ? '' : new URL(text).origin))
  .meta({
    description:
      'Where people reach this Headroom: an http(s) origin, no path, query, fragment or credentials (e.g. https://headroom.example.com); alert annotations get headroom_url = <externalUrl>/ui/services/<namespace or _>/<service>. Empty: no link.',
  });

export const uiSchema = z.strictObject({
  enabled: z.boolean().default(false).meta({
    description:
      'Collector mode: serve /ui/ and /api/v1/view on the decision API listener. Embedded: start the view listener (host, port).',
  }),
  host: z
    .string()
    .min(1)
    .prefault('127.0.0.1')
    .meta({ description: 'Embedded mode only: the address of the view listener.' }),
  port: port
    .default(9466)
    .meta({ description: 'Embedded mode only: the port of the view listener (0: any free port, logged).' }),
  externalUrl: externalUrl.default(''),
  history: historySchema.prefault({}),
});
