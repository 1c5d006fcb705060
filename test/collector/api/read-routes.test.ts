import { describe, expect, it } from 'vitest';
import { apiPerTest, recordTraffic, TOKENS } from './setup.ts';

const T0 = 1_700_000_000_000;
const MODERATE_FEATURES = ['recommendations', 'personalization', 'search_suggestions'];

const api = apiPerTest();
const start = () => api.start();

const flat = (ms: number) => ({ p50: ms, p90: ms, p95: ms, p99: ms, 'p99.9': ms });

describe('decision API probes', () => {
  it('should answer /-/healthy always and /-/ready only once the agent has ticked', async () => {
    const { agent, request } = await start();
    expect(await request('/-/healthy')).toMatchObject({ status: 200, body: { status: 'healthy' } });
    const before = await request('/-/ready');
    expect([before.status, before.body]).toEqual([
      503,
      {
        error: { code: 'not_ready', message: 'the agent has not evaluated yet; retry after its first tick' },
      },
    ]);
    agent.tick();
    expect(await request('/-/ready')).toMatchObject({ status: 200, body: { status: 'ready' } });
  });
});

describe('decision API read routes', () => {
  it('should list every service with its namespace, level, override flag, since and disabled features', async () => {
    const context = await start();
    recordTraffic(context);
    context.clock.advance(500);
    context.agent.degradation('checkout', 'payments').override('MODERATE', 'incident 42');
    const { status, body } = await context.request('/api/v1/services', { token: TOKENS.reader });
    expect(status).toBe(200);
    expect(body).toEqual({
      services: [
        {
          service: 'checkout',
          namespace: 'payments',
          level: 'MODERATE',
          overridden: true,
          since: T0 + 500,
          disabledFeatures: MODERATE_FEATURES,
        },
        {
          service: 'search',
          namespace: 'search',
          level: 'NONE',
          overridden: false,
          since: T0, // created by its first span
          disabledFeatures: [],
        },
      ],
    });
  });

  it('should show a service with its last decision and, per context and operation, verdict and window', async () => {
    const context = await start();
    recordTraffic(context);
    const decision = context.agent.degradation('checkout', 'payments').override('MINIMAL', 'game day');
    const { status, body } = await context.request('/api/v1/namespaces/payments/services/checkout', {
      token: TOKENS.reader,
    });
    expect(status).toBe(200);
    expect(body).toEqual({
      service: 'checkout',
      namespace: 'payments',
      level: 'MINIMAL',
      overridden: true,
      since: T0,
      disabledFeatures: ['recommendations'],
      lastDecision: JSON.parse(JSON.stringify(decision)),
      evaluatedAt: T0,
      series: [
        {
          operation: 'quote',
          context: 'emergency',
          phase: '',
          status: 'warning',
          percentile: 'p95',
          observedMs: 40,
          budgetMs: 50,
          baseBudgetMs: 50,
          ratio: 0.8,
          evaluatedAt: T0,
          count: 100,
          errorRate: 0,
          latencyMs: flat(40),
        },
        {
          operation: 'browse',
          context: 'routine',
          phase: '',
          status: 'ok',
          percentile: 'p95',
          observedMs: 100,
          budgetMs: 200,
          baseBudgetMs: 200,
          ratio: 0.5,
          evaluatedAt: T0,
          count: 50,
          errorRate: 0.1,
          latencyMs: flat(100),
        },
      ],
    });
  });

  it('should mark a series without enough samples, and an empty window, with nulls rather than numbers', async () => {
    const context = await start();
    recordTraffic(context);
    context.clock.advance(120_000); // the 60 s window is empty now
    context.agent.tick();
    const { body } = await context.request('/api/v1/namespaces/search/services/search', {
      token: TOKENS.reader,
    });
    expect(body).toEqual({
      service: 'search',
      namespace: 'search',
      level: 'NONE',
      overridden: false,
      since: T0, // created by its first span, before the window emptied
      disabledFeatures: [],
      lastDecision: null,
      evaluatedAt: T0 + 120_000,
      series: [
        {
          operation: 'query',
          context: 'routine',
          phase: '',
          status: 'insufficient-samples',
          percentile: 'p95',
          observedMs: null,
          budgetMs: 200,
          baseBudgetMs: 200,
          ratio: null,
          evaluatedAt: null,
          count: 0,
          errorRate: 0,
          latencyMs: { p50: null, p90: null, p95: null, p99: null, 'p99.9': null },
        },
      ],
    });
  });

  it('should fold a series in an unconfigured context into context "__overflow__", unbudgeted', async () => {
    const context = await start();
    context.agent
      .series({ namespace: 'payments', service: 'checkout', operation: 'export', context: 'batch' })
      .record(7, false, context.clock.now() - 1);
    context.agent.tick();
    const { body } = await context.request('/api/v1/namespaces/payments/services/checkout', {
      token: TOKENS.reader,
    });
    expect(body.series).toEqual([
      {
        operation: 'export',
        context: '__overflow__',
        phase: '',
        status: 'unbudgeted',
        percentile: null,
        observedMs: null,
        budgetMs: null,
        baseBudgetMs: null,
        ratio: null,
        evaluatedAt: null,
        count: 1,
        errorRate: 0,
        latencyMs: flat(7),
      },
    ]);
  });

  it('should return the decision history newest last, limited by ?limit= and historySize', async () => {
    const context = await start();
    const manager = context.agent.degradation('checkout', 'payments');
    const decisions = ['MINIMAL', 'SEVERE', 'NONE'].map((level, i) => {
      context.clock.advance(1000);
      return manager.override(level as 'NONE', `step ${i}`);
    });
    const all = JSON.parse(JSON.stringify(decisions));
    const full = await context.request('/api/v1/namespaces/payments/services/checkout/decisions', {
      token: TOKENS.reader,
    });
    expect([full.status, full.body]).toEqual([
      200,
      { namespace: 'payments', service: 'checkout', decisions: all },
    ]);
    const last2 = await context.request('/api/v1/namespaces/payments/services/checkout/decisions?limit=2', {
      token: TOKENS.reader,
    });
    expect(last2.body).toEqual({ namespace: 'payments', service: 'checkout', decisions: all.slice(1) });
    expect(last2.body.decisions.map((d: { seq: number }) => d.seq)).toEqual([2, 3]);
  });

  it('should never return more decisions than api.historySize', async () => {
    const current = await api.start({ port: 0, anonymous: ['read'], historySize: 2 });
    const manager = current.agent.degradation('checkout', 'payments');
    for (const level of ['MINIMAL', 'SEVERE', 'NONE'] as const) manager.override(level, 'x');
    const { body } = await current.request(
      '/api/v1/namespaces/payments/services/checkout/decisions?limit=50',
    );
    expect(body.decisions.map((d: { seq: number }) => d.seq)).toEqual([2, 3]);
  });

  it.each(['0', '-1', '1.5', 'ten', ''])('should refuse ?limit=%s with 400', async (limit) => {
    const { request } = await start();
    const { status, body } = await request(
      `/api/v1/namespaces/payments/services/checkout/decisions?limit=${limit}`,
      {
        token: TOKENS.reader,
      },
    );
    expect([status, body]).toEqual([
      400,
      {
        error: {
          code: 'bad_request',
          message: `limit must be a whole number from 1 to 1000, got "${limit}"`,
        },
      },
    ]);
  });

  it('should serve a service with a long, percent-encoded name and namespace, by its full or its kept name', async () => {
    const { clock, directory, request } = await start();
    const name = `team a/${'x'.repeat(300)}`;
    const kept = name.slice(0, 256); // limits.nameLength
    const namespace = 'pay/ments:é';
    directory.note(name, namespace, clock.now());
    for (const asked of [name, kept]) {
      const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(asked)}`;
      const { status, body } = await request(path, { token: TOKENS.reader });
      expect([status, body.service, body.namespace]).toEqual([200, kept, namespace]);
      // Both histories answer under the kept names too (one route helper serves them).
      for (const history of ['/decisions', '/admission/decisions']) {
        const reply = await request(`${path}${history}`, { token: TOKENS.reader });
        expect([reply.status, reply.body]).toEqual([200, { namespace, service: kept, decisions: [] }]);
      }
    }
  });

  it('should answer 404 in the error format for an unknown service and an unknown route', async () => {
    const { request } = await start();
    const service = await request('/api/v1/services/nope', { token: TOKENS.reader });
    expect([service.status, service.body]).toEqual([
      404,
      { error: { code: 'not_found', message: 'no service named "nope" without a namespace' } },
    ]);
    const namespaced = await request('/api/v1/namespaces/payments/services/nope', { token: TOKENS.reader });
    expect([namespaced.status, namespaced.body]).toEqual([
      404,
      { error: { code: 'not_found', message: 'no service named "nope" in namespace "payments"' } },
    ]);
    const route = await request('/api/v2/things?x=1', { token: TOKENS.reader });
    expect([route.status, route.body]).toEqual([
      404,
      { error: { code: 'not_found', message: 'no route GET /api/v2/things' } },
    ]);
  });
});
