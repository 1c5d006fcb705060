/**
 * `GET /api/v1/view` on the embedded view listener (a real node:http server on 127.0.0.1:0) over a
 * seeded agent on a ManualClock: the whole answer, tenant binding, 401/403 and histories with gaps.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { recordMany } from '../helpers/agent.ts';
import { recordTraffic, startSeededView, TOKENS } from './setup.ts';

const T0 = 1_700_000_000_000;

let view: Awaited<ReturnType<typeof startSeededView>> | undefined;

afterEach(async () => {
  await view?.close();
  view = undefined;
});

const pairs = (
  long: number,
  short: number,
  long2: number,
  short2: number,
  long3: number,
  short3: number,
  long4: number,
  short4: number,
) => [
  { severity: 'page', longWindowMs: 3_600_000, shortWindowMs: 300_000, long, short, threshold: 14.4 },
  {
    severity: 'page',
    longWindowMs: 21_600_000,
    shortWindowMs: 1_800_000,
    long: long2,
    short: short2,
    threshold: 6,
  },
  {
    severity: 'ticket',
    longWindowMs: 86_400_000,
    shortWindowMs: 7_200_000,
    long: long3,
    short: short3,
    threshold: 3,
  },
  {
    severity: 'ticket',
    longWindowMs: 259_200_000,
    shortWindowMs: 21_600_000,
    long: long4,
    short: short4,
    threshold: 1,
  },
];

const idleSlo = {
  name: 'checkout-latency',
  objective: 0.99,
  windowMs: 2_592_000_000,
  errorBudgetRemaining: 1,
  burnRates: pairs(0, 0, 0, 0, 0, 0, 0, 0),
};

const idleClass = (maxProbability: number) => ({
  probability: 0,
  maxProbability,
  minProbability: 0,
  admitted: 0,
  rejected: 0,
});

const idleAdmission = {
  enabled: true,
  classes: {
    CRITICAL_PLUS: idleClass(0),
    CRITICAL: idleClass(0.5),
    SHEDDABLE_PLUS: idleClass(0.9),
    SHEDDABLE: idleClass(1),
  },
  pressure: 0,
};

describe('GET /api/v1/view', () => {
  it('should answer every visible service with whole operations sorted by headroom, level, override, modifiers, SLOs, admission and history with gaps', async () => {
    view = await startSeededView();
    const { agent, clock } = view;
    recordTraffic(agent, clock);
    agent.tick(); // step T0: wraps out of the 3-point ring later
    clock.advance(10_000);
    recordTraffic(agent, clock);
    agent.tick(); // step T0+10s
    clock.advance(20_000); // no tick at T0+20s: a gap
    recordTraffic(agent, clock);
    agent.modifiers.set('black-friday');
    agent.degradation('checkout', 'payments').override('MODERATE', 'load test', { untilMs: T0 + 3_600_000 });
    agent.tick(); // step T0+30s
    const reply = await view.get('/api/v1/view', TOKENS.reader);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(reply.headers.get('cache-control')).toBe('no-store');
    const history = (
      values: [number | null, number | null, number | null],
      budget: number,
      counts: number[],
    ) => ({
      atMs: [T0 + 10_000, T0 + 20_000, T0 + 30_000],
      p50: values,
      p95: values,
      p99: values,
      budgetMs: [budget, null, budget],
      count: [counts[0], null, counts[1]],
    });
    expect(await reply.json()).toEqual({
      generatedAtMs: T0 + 30_000,
      instanceId: agent.instanceId,
      resolutionMs: 10_000,
      lengthMs: 30_000,
      services: [
        {
          namespace: 'payments',
          service: 'checkout',
          level: 'MODERATE',
          since: T0 + 30_000,
          overridden: true,
          disabledFeatures: ['recommendations', 'personalization'],
          override: { level: 'MODERATE', reason: 'load test', untilMs: T0 + 3_600_000 },
          modifiers: [{ name: 'black-friday', factor: 1.5, untilMs: null }],
          transitions: [
            {
              seq: 1,
              atMs: T0 + 30_000,
              from: 'NONE',
              to: 'MODERATE',
              reason: 'manual-override',
              message: 'manual override NONE -> MODERATE until 2023-11-14T23:13:20.000Z: load test',
            },
          ],
          slos: [idleSlo],
          admission: idleAdmission,
          operations: [
            {
              operation: 'quote',
              context: 'emergency',
              percentile: 'p95',
              status: 'warning',
              observedMs: 40,
              budgetMs: 50,
              headroom: 0.2,
              count: 300,
              latencyMs: { p50: 40, p95: 40, p99: 40 },
              history: history([40, null, 40], 50, [200, 300]),
            },
            {
              operation: 'browse',
              context: 'routine',
              percentile: 'p95',
              status: 'ok',
              observedMs: 100,
              budgetMs: 200,
              headroom: 0.5,
              count: 150,
              latencyMs: { p50: 100, p95: 100, p99: 100 },
              history: history([100, null, 100], 200, [100, 150]),
            },
          ],
        },
        {
          namespace: 'search',
          service: 'search',
          level: 'NONE',
          since: T0,
          overridden: false,
          disabledFeatures: [],
          override: null,
          modifiers: [{ name: 'black-friday', factor: 1.5, untilMs: null }],
          transitions: [],
          slos: [idleSlo],
          admission: idleAdmission,
          operations: [
            {
              operation: 'query',
              context: 'routine',
              percentile: 'p95',
              status: 'insufficient-samples',
              observedMs: null,
              budgetMs: 200,
              headroom: null,
              count: 15,
              latencyMs: { p50: 100, p95: 100, p99: 100 },
              history: history([100, null, 100], 200, [10, 15]),
            },
          ],
        },
      ],
    });
  });

  it('should show a namespace-bound token only its namespace, and answer another tenant exactly like an unknown one', async () => {
    view = await startSeededView();
    recordTraffic(view.agent, view.clock);
    // Another service without a verdict: after checkout, ordered with search by namespace, then name.
    recordMany(
      view.agent,
      view.clock,
      { namespace: 'payments', service: 'refunds', operation: 'refund', context: 'routine' },
      10,
      1,
    );
    view.agent.tick();
    const names = async (path: string, token: string) => {
      const body = (await (await view?.get(path, token))?.json()) as {
        services: { namespace: string; service: string }[];
      };
      return body.services.map(({ namespace, service }) => `${namespace}/${service}`);
    };
    expect(await names('/api/v1/view', TOKENS.reader)).toEqual([
      'payments/checkout',
      'payments/refunds',
      'search/search',
    ]);
    expect(await names('/api/v1/view', TOKENS.paymentsOps)).toEqual([
      'payments/checkout',
      'payments/refunds',
    ]);
    expect(await names('/api/v1/view?namespace=search', TOKENS.paymentsOps)).toEqual([]);
    expect(await names('/api/v1/view?namespace=nowhere', TOKENS.paymentsOps)).toEqual([]);
    expect(await names('/api/v1/view?namespace=search', TOKENS.reader)).toEqual(['search/search']);
    expect(await names('/api/v1/view?namespace=', TOKENS.reader)).toEqual([]);
  });

  it('should answer 401 without a token or with an unknown one and 403 without the read scope, as the decision API does', async () => {
    view = await startSeededView();
    const answer = async (token?: string) => {
      const reply = (await view?.get('/api/v1/view', token)) as Response;
      return {
        status: reply.status,
        challenge: reply.headers.get('www-authenticate'),
        body: await reply.json(),
      };
    };
    expect(await answer()).toEqual({
      status: 401,
      challenge: 'Bearer realm="headroom"',
      body: {
        error: { code: 'unauthorized', message: 'this request needs a bearer token with the "read" scope' },
      },
    });
    expect(await answer('not-a-configured-token-000')).toEqual({
      status: 401,
      challenge: 'Bearer realm="headroom", error="invalid_token"',
      body: { error: { code: 'unauthorized', message: 'the bearer token is missing, malformed or unknown' } },
    });
    expect(await answer(TOKENS.overrideOnly)).toEqual({
      status: 403,
      challenge: 'Bearer realm="headroom", error="insufficient_scope", scope="read"',
      body: { error: { code: 'forbidden', message: 'token "override-only" lacks the "read" scope' } },
    });
    expect((await view.get('/api/v1/view/stream')).status).toBe(401);
  });

  it('should answer 404 as the decision API words it for other paths (methods: test/view/listener-edges.test.ts)', async () => {
    view = await startSeededView();
    for (const [method, path] of [
      ['GET', '/api/v1/views'],
      ['POST', '/api/v1/views'],
      ['GET', '/api/v1/view/x'],
    ] as const) {
      const reply = await fetch(`${view.url}${path}`, { method });
      expect({ status: reply.status, body: await reply.json() }).toEqual({
        status: 404,
        body: { error: { code: 'not_found', message: `no route ${method} ${path}` } },
      });
    }
  });

  it('should serve the page under /ui/ and answer 404 for a file it does not have', async () => {
    view = await startSeededView();
    const page = await fetch(`${view.url}/ui/services/shop/checkout`);
    expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    const missing = await fetch(`${view.url}/ui/nothing.js`);
    expect({ status: missing.status, body: await missing.json() }).toEqual({
      status: 404,
      body: { error: { code: 'not_found', message: 'no page file /ui/nothing.js' } },
    });
  });

  it('should keep no history before the first tick and an empty list of services', async () => {
    view = await startSeededView();
    const body = await (await view.get('/api/v1/view', TOKENS.reader)).json();
    expect(body).toEqual({
      generatedAtMs: T0,
      instanceId: view.agent.instanceId,
      resolutionMs: 10_000,
      lengthMs: 30_000,
      services: [],
    });
  });
});
