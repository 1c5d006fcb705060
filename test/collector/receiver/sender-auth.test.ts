import { resourceFromAttributes } from '@opentelemetry/resources';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OtlpReceiver } from '../../../collector/receiver/index.ts';
import { metricsJson, metricsProtobuf, sampleMetrics } from './metrics-fixtures.ts';
import { jsonPayload, protobufPayload, rawRequest, spansOf } from './otlp-fixtures.ts';
import {
  JSON_TYPE,
  PROTOBUF,
  send,
  startTestReceiver,
  statusOf,
  type TestResponse,
} from './receiver-harness.ts';

const TOKEN_A = 'tenant-a-sender-0123456789';
const TOKEN_B = 'tenant-b-sender-0123456789';
const GATEWAY = 'gateway-sender-0123456789';
const TOKENS = [
  { name: 'tenant-a', token: TOKEN_A, namespace: 'a' },
  { name: 'tenant-b', token: TOKEN_B, namespace: 'b' },
  { name: 'gateway', token: GATEWAY },
];
const REALM = 'Bearer realm="headroom-receiver"';
const UNAUTHENTICATED = 16;
const PERMISSION_DENIED = 7;

const open: OtlpReceiver[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((receiver) => receiver.close()));
});

async function start(tokens = TOKENS) {
  const onTraces = vi.fn();
  const onMetrics = vi.fn();
  const started = await startTestReceiver({ receiver: { tokens } }, { onTraces, onMetrics });
  open.push(started.receiver);
  return { ...started, onTraces, onMetrics };
}

/** One `quote` span (emergency, 30 ms) per resource, ending 10 ms before `nowMs`. */
function request(nowMs: number, ...resources: { service: string; namespace?: string }[]): Uint8Array {
  const span = {
    name: 'quote',
    startMs: nowMs - 40,
    endMs: nowMs - 10,
    attributes: { 'headroom.budget.context': 'emergency' },
  };
  return rawRequest(resources.map((resource) => ({ ...resource, spans: [span] })));
}

function post(url: string, body: Uint8Array, authorization?: string, path = '/v1/traces') {
  const headers: Record<string, string> = { 'content-type': PROTOBUF };
  if (authorization !== undefined) headers.authorization = authorization;
  return send(url, { path, headers, body });
}

function outcome(response: TestResponse) {
  const body = response.status === 200 ? response.body.length : statusOf(response);
  return [response.status, response.headers['www-authenticate'], body];
}

/** The (namespace, service) of every series the agent holds. */
function identities(agent: { registry: { list(): { namespace: string; service: string }[] } }) {
  return agent.registry.list().map((s) => [s.namespace, s.service]);
}

describe('OTLP receiver without receiver.tokens (single-tenant)', () => {
  it('should accept requests without Authorization and keep each resource namespace as sent', async () => {
    const { receiver, agent, clock } = await start([]);
    const body = request(clock.now(), { service: 'checkout', namespace: 'shop' }, { service: 'checkout' });
    expect(outcome(await post(receiver.url, body))).toEqual([200, undefined, 0]);
    expect(identities(agent)).toEqual([
      ['shop', 'checkout'],
      ['', 'checkout'],
    ]);
  });
});

describe('OTLP receiver with receiver.tokens', () => {
  it.each([
    [
      'no Authorization header',
      undefined,
      REALM,
      'this receiver needs a bearer token (Authorization: Bearer <token>)',
    ],
    ['an empty header', '', REALM, 'this receiver needs a bearer token (Authorization: Bearer <token>)'],
    ['an unknown token', 'Bearer not-a-known-token-0123', `${REALM}, error="invalid_token"`, undefined],
    ['a prefix of a token', `Bearer ${TOKEN_A.slice(0, -1)}`, `${REALM}, error="invalid_token"`, undefined],
    ['a token with one character more', `Bearer ${TOKEN_A}x`, `${REALM}, error="invalid_token"`, undefined],
    ['another scheme', `Basic ${TOKEN_A}`, `${REALM}, error="invalid_token"`, undefined],
    ['a scheme without a token', 'Bearer ', `${REALM}, error="invalid_token"`, undefined],
  ])(
    'should answer 401 with a challenge to %s, before reading the body, and record nothing',
    async (_what, header, challenge, message) => {
      const { receiver, agent, clock, onTraces } = await start();
      const response = await post(
        receiver.url,
        request(clock.now(), { service: 'checkout', namespace: 'a' }),
        header,
      );
      expect(outcome(response)).toEqual([
        401,
        challenge,
        { code: UNAUTHENTICATED, message: message ?? 'the bearer token is malformed or unknown' },
      ]);
      expect(response.headers.connection).toBe('close');
      expect(identities(agent)).toEqual([]);
      expect(onTraces).not.toHaveBeenCalled();
      expect(receiver.stats()).toMatchObject({ requests: 1, spansReceived: 0 });
      expect(receiver.stats().refused.unauthorized).toBe(1);
    },
  );

  it('should answer 401 in JSON to a JSON request and on /v1/metrics too', async () => {
    const { receiver } = await start();
    const json = await send(receiver.url, { headers: { 'content-type': JSON_TYPE }, body: '{}' });
    expect([json.status, json.headers['content-type'], statusOf(json)]).toEqual([
      401,
      JSON_TYPE,
      {
        code: UNAUTHENTICATED,
        message: 'this receiver needs a bearer token (Authorization: Bearer <token>)',
      },
    ]);
    const metrics = await post(
      receiver.url,
      metricsProtobuf(await sampleMetrics()),
      undefined,
      '/v1/metrics',
    );
    expect(metrics.status).toBe(401);
    expect(receiver.stats().refused.unauthorized).toBe(2);
  });

  it("should attribute a resource without service.namespace to its token's namespace", async () => {
    const { receiver, agent, clock, directory, onTraces } = await start();
    const body = request(clock.now(), { service: 'checkout' }, { service: 'search', namespace: 'a' });
    expect(outcome(await post(receiver.url, body, `Bearer ${TOKEN_A}`))).toEqual([200, undefined, 0]);
    expect(identities(agent)).toEqual([
      ['a', 'checkout'],
      ['a', 'search'],
    ]);
    expect(directory.list().map((s) => [s.namespace, s.service])).toEqual(identities(agent));
    // Forwarded as it came: the attribution is Headroom's, the bytes stay the sender's.
    expect(onTraces).toHaveBeenCalledWith(Buffer.from(body), PROTOBUF, 2);
  });

  it.each([
    ['another namespace only', [{ service: 'payments', namespace: 'b' }], 0, 'b'],
    [
      'its own and another namespace',
      [
        { service: 'checkout', namespace: 'a' },
        { service: 'checkout' },
        { service: 'payments', namespace: 'b' },
      ],
      2,
      'b',
    ],
    ['a namespace differing only in case', [{ service: 'payments', namespace: 'A' }], 0, 'A'],
  ])(
    'should refuse a whole request with 403 when a bound token sends %s, recording and forwarding nothing',
    async (_what, resources, index, namespace) => {
      const { receiver, agent, clock, directory, onTraces } = await start();
      const response = await post(receiver.url, request(clock.now(), ...resources), `Bearer ${TOKEN_A}`);
      expect(outcome(response)).toEqual([
        403,
        undefined,
        {
          code: PERMISSION_DENIED,
          message: `token "tenant-a" may only send for service.namespace "a"; resource ${index} has service.namespace "${namespace}": nothing in this request was accepted`,
        },
      ]);
      expect([identities(agent), directory.list(), onTraces.mock.calls.length]).toEqual([[], [], 0]);
      expect(receiver.stats()).toMatchObject({ spansReceived: 0, spansRejected: 0 });
      expect(receiver.stats().refused.forbidden).toBe(1);
    },
  );

  it('should quote at most 256 characters of a 3 MB foreign namespace in the 403 reply', async () => {
    const { receiver, clock } = await start();
    const namespace = `b${'x'.repeat(3 * 1024 * 1024)}`;
    const response = await post(
      receiver.url,
      request(clock.now(), { service: 'payments', namespace }),
      `Bearer ${TOKEN_A}`,
    );
    expect(outcome(response)).toEqual([
      403,
      undefined,
      {
        code: PERMISSION_DENIED,
        message: `token "tenant-a" may only send for service.namespace "a"; resource 0 has service.namespace "b${'x'.repeat(255)}..." (3145729 characters): nothing in this request was accepted`,
      },
    ]);
  });

  it('should not let a re-announcement move a service into another tenant: it is another service', async () => {
    const { receiver, agent, clock } = await start();
    const auth = { a: `Bearer ${TOKEN_A}`, b: `Bearer ${TOKEN_B}` };
    expect((await post(receiver.url, request(clock.now(), { service: 'payments' }), auth.b)).status).toBe(
      200,
    );
    // Tenant A claims B's service by name: refused outright when it names B's namespace...
    const claim = await post(
      receiver.url,
      request(clock.now(), { service: 'payments', namespace: 'b' }),
      auth.a,
    );
    expect(claim.status).toBe(403);
    // ...and without a namespace its spans land in its own namespace, as its own service.
    expect((await post(receiver.url, request(clock.now(), { service: 'payments' }), auth.a)).status).toBe(
      200,
    );
    expect(identities(agent)).toEqual([
      ['b', 'payments'],
      ['a', 'payments'],
    ]);
    expect(agent.registry.list().map((s) => s.window.snapshot(clock.now()).count)).toEqual([1, 1]);
  });

  it('should let an unbound token send for any namespace, as sent', async () => {
    const { receiver, agent, clock } = await start();
    const body = request(
      clock.now(),
      { service: 'checkout', namespace: 'a' },
      { service: 'checkout', namespace: 'b' },
    );
    expect((await post(receiver.url, body, `Bearer ${GATEWAY}`)).status).toBe(200);
    expect(identities(agent)).toEqual([
      ['a', 'checkout'],
      ['b', 'checkout'],
    ]);
  });

  it('should check the namespaces of JSON spans and of metrics, in both encodings', async () => {
    const { receiver, clock, onMetrics } = await start();
    const auth = `Bearer ${TOKEN_A}`;
    const spans = spansOf({ service: 'checkout', namespace: 'b' }, [
      { name: 'quote', startMs: clock.now() - 5, endMs: clock.now() - 1 },
    ]);
    const json = await send(receiver.url, {
      headers: { 'content-type': JSON_TYPE, authorization: auth },
      body: jsonPayload(spans),
    });
    expect([json.status, statusOf(json).code]).toEqual([403, PERMISSION_DENIED]);
    expect((await post(receiver.url, protobufPayload(spans), auth)).status).toBe(403);

    const metrics = await sampleMetrics();
    const foreign = {
      ...metrics,
      resource: resourceFromAttributes({ 'service.name': 'x', 'service.namespace': 'b' }),
    };
    const own = {
      ...metrics,
      resource: resourceFromAttributes({ 'service.name': 'x', 'service.namespace': 'a' }),
    };
    for (const [body, type] of [
      [metricsProtobuf(foreign), PROTOBUF],
      [metricsJson(foreign), JSON_TYPE],
    ] as const) {
      const response = await send(receiver.url, {
        path: '/v1/metrics',
        headers: { 'content-type': type, authorization: auth },
        body,
      });
      expect([response.status, statusOf(response)]).toEqual([
        403,
        {
          code: PERMISSION_DENIED,
          message:
            'token "tenant-a" may only send for service.namespace "a"; resource 0 has service.namespace "b": nothing in this request was accepted',
        },
      ]);
    }
    expect(onMetrics).not.toHaveBeenCalled();
    for (const [body, type] of [
      [metricsProtobuf(own), PROTOBUF],
      [metricsProtobuf(metrics), PROTOBUF],
      [metricsJson(own), JSON_TYPE],
    ] as const) {
      const response = await send(receiver.url, {
        path: '/v1/metrics',
        headers: { 'content-type': type, authorization: auth },
        body,
      });
      expect(response.status).toBe(200);
    }
    expect(onMetrics).toHaveBeenCalledTimes(3);
    expect(receiver.stats().refused.forbidden).toBe(4);
  });

  it('should refuse a removed token from the next request on after setTokens (a reload)', async () => {
    const { receiver, clock } = await start();
    const body = request(clock.now(), { service: 'checkout' });
    expect((await post(receiver.url, body, `Bearer ${TOKEN_A}`)).status).toBe(200);
    receiver.setTokens([TOKENS[1]!]);
    expect((await post(receiver.url, body, `Bearer ${TOKEN_A}`)).status).toBe(401);
    expect((await post(receiver.url, body, `Bearer ${TOKEN_B}`)).status).toBe(200);
    receiver.setTokens([]);
    expect((await post(receiver.url, body)).status).toBe(200);
  });
});
