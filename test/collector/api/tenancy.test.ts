import { describe, expect, it, vi } from 'vitest';
import { recordMany } from '../../helpers/agent.ts';
import { apiPerTest, DEFAULT_API, IDLE_CLASSES, TOKENS } from './setup.ts';

/**
 * Two services named `checkout`, in namespaces `payments` and `shop`, and one without a namespace:
 * three services. `payments-ops` is bound to `payments`.
 */
const SHOP_OPS = 'shop-ops-token-0123456789';
const API = {
  ...DEFAULT_API,
  tokens: [
    ...(DEFAULT_API.tokens ?? []),
    { name: 'shop-ops', token: SHOP_OPS, scopes: ['read' as const, 'override' as const], namespace: 'shop' },
  ],
};

const api = apiPerTest();

async function start() {
  const current = await api.start(API);
  const { agent, clock, directory } = current;
  directory.note('checkout', 'shop', clock.now());
  directory.note('checkout', '', clock.now());
  // Only payments/checkout is slow: the shop's checkout must not degrade with it.
  recordMany(
    agent,
    clock,
    { namespace: 'payments', service: 'checkout', operation: 'pay', context: 'emergency' },
    90,
    100,
  );
  recordMany(
    agent,
    clock,
    { namespace: 'shop', service: 'checkout', operation: 'pay', context: 'emergency' },
    10,
    100,
  );
  return current;
}

const PAYMENTS = '/api/v1/namespaces/payments/services/checkout';
const SHOP = '/api/v1/namespaces/shop/services/checkout';
const BARE = '/api/v1/services/checkout';
const pin = { level: 'SEVERE', reason: 'incident 7' };

describe('decision API: a service is (namespace, name)', () => {
  it('should keep two services of the same name in two namespaces apart: series, levels, lists', async () => {
    const { agent, clock, request } = await start();
    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      agent.tick();
    }
    expect(agent.degradation('checkout', 'payments').level).toBe('SEVERE'); // 90ms is 1.8x the 50ms budget
    expect(agent.degradation('checkout', 'shop').level).toBe('NONE');
    const { body } = await request('/api/v1/services', { token: TOKENS.admin });
    expect(
      body.services.map((s: { namespace: string; service: string; level: string }) => [
        s.namespace,
        s.service,
        s.level,
      ]),
    ).toEqual([
      ['', 'checkout', 'NONE'],
      ['payments', 'checkout', 'SEVERE'],
      ['search', 'search', 'NONE'],
      ['shop', 'checkout', 'NONE'],
    ]);
    const payments = await request(PAYMENTS, { token: TOKENS.admin });
    const shop = await request(SHOP, { token: TOKENS.admin });
    const bare = await request(BARE, { token: TOKENS.admin });
    expect([
      payments.body.series[0].latencyMs.p95,
      shop.body.series[0].latencyMs.p95,
      bare.body.series,
    ]).toEqual([90, 10, []]);
  });

  it.each([
    ['GET', PAYMENTS],
    ['GET', `${PAYMENTS}/decisions`],
    ['PUT', `${PAYMENTS}/override`],
    ['DELETE', `${PAYMENTS}/override`],
    ['GET', BARE],
    ['GET', `${BARE}/decisions`],
    ['PUT', `${BARE}/override`],
    ['DELETE', `${BARE}/override`],
  ])(
    'should answer a shop token %s %s with the 404 of a missing service and change nothing',
    async (method, path) => {
      const { agent, request } = await start();
      const hidden = await request(path, {
        method,
        token: SHOP_OPS,
        body: method === 'GET' ? undefined : pin,
      });
      const missingPath = path.replace('/services/checkout', '/services/no-such-service');
      const missing = await request(missingPath, {
        method,
        token: SHOP_OPS,
        body: method === 'GET' ? undefined : pin,
      });
      const where = path.startsWith(PAYMENTS) ? 'in namespace "payments"' : 'without a namespace';
      expect([hidden.status, hidden.body]).toEqual([
        404,
        { error: { code: 'not_found', message: `no service named "checkout" ${where}` } },
      ]);
      expect([missing.status, missing.body.error.message]).toEqual([
        404,
        `no service named "no-such-service" ${where}`,
      ]);
      for (const namespace of ['payments', '']) {
        expect(agent.degradation('checkout', namespace).state()).toMatchObject({
          level: 'NONE',
          overridden: false,
        });
        expect(agent.degradation('checkout', namespace).auditLog.size).toBe(0);
      }
    },
  );

  it('should list, read, override and show the history of its own service only', async () => {
    const { agent, request } = await start();
    const list = await request('/api/v1/services', { token: SHOP_OPS });
    expect(
      list.body.services.map((s: { namespace: string; service: string }) => [s.namespace, s.service]),
    ).toEqual([['shop', 'checkout']]);
    const put = await request(`${SHOP}/override`, { method: 'PUT', token: SHOP_OPS, body: pin });
    expect([
      put.status,
      put.body.decision.namespace,
      put.body.decision.service,
      put.body.state.level,
    ]).toEqual([200, 'shop', 'checkout', 'SEVERE']);
    expect(agent.degradation('checkout', 'payments').level).toBe('NONE');
    const history = await request(`${SHOP}/decisions`, { token: SHOP_OPS });
    expect([history.body.namespace, history.body.service, history.body.decisions.length]).toEqual([
      'shop',
      'checkout',
      1,
    ]);
    expect((await request(`${PAYMENTS}/decisions`, { token: TOKENS.paymentsOps })).body.decisions).toEqual(
      [],
    );
  });

  it("should keep another namespace's decisions out of a bound token's streams, whatever it filters on", async () => {
    const { agent } = await start();
    const auth = { authorization: `Bearer ${SHOP_OPS}` };
    const paths = [
      '/api/v1/decisions/stream',
      '/api/v1/decisions/stream?service=checkout',
      '/api/v1/decisions/stream?namespace=payments',
      '/api/v1/decisions/stream?namespace=payments&service=checkout',
      '/api/v1/decisions/stream?namespace=&service=checkout',
    ];
    const opened: Awaited<ReturnType<typeof api.stream>>[] = [];
    for (const path of paths) {
      const stream = await api.stream(path, auth);
      opened.push(stream);
    }
    await vi.waitFor(() => expect(opened[4]!.events).toHaveLength(3));
    agent.admission('checkout', 'payments');
    agent.admission('checkout');
    agent.degradation('checkout', 'payments').override('CRITICAL', 'not for shop');
    agent.degradation('checkout').override('CRITICAL', 'not for shop either');
    agent.degradation('checkout', 'shop').override('SEVERE', 'for shop');
    // Every service's SHEDDABLE floor rises to 100 %: one decision each, one for shop (payments'
    // checkout also took slow traffic, all CRITICAL: CRITICAL, capped under 1, is shed only once
    // an overload has lasted a step delay, so not at this first tick).
    expect(
      agent
        .tick()
        .admissionDecisions.map((d) => `${d.namespace}/${d.service}`)
        .sort(),
    ).toEqual(['/checkout', 'payments/checkout', 'shop/checkout']);
    await vi.waitFor(() => expect(opened[0]!.events).toHaveLength(6));
    await vi.waitFor(() => expect(opened[1]!.events).toHaveLength(6));
    // A hidden service named in full is answered as an unknown one: NONE, nothing about it leaks.
    const shop = [
      'agent ',
      'state shop/checkout:0',
      'admission-state shop/checkout:0',
      'decision shop/checkout:1',
      'admission-decision shop/checkout:1',
      'admission-state shop/checkout:1',
    ];
    expect(opened.map((stream) => stream.parsed().map(([event, id]) => `${event} ${id}`))).toEqual([
      shop,
      shop,
      ['agent '],
      ['agent ', 'state payments/checkout:0', 'admission-state payments/checkout:0'],
      ['agent ', 'state checkout:0', 'admission-state checkout:0'],
    ]);
    expect(opened[3]!.parsed()[2]?.[2]).toEqual({
      namespace: 'payments',
      service: 'checkout',
      enabled: true,
      classes: IDLE_CLASSES,
      lastDecision: null,
      retryAfterMs: 1000,
      unknown: true,
      instanceId: agent.instanceId,
    });
    expect(opened[3]!.parsed()[1]?.[2]).toEqual({
      namespace: 'payments',
      service: 'checkout',
      level: 'NONE',
      overridden: false,
      since: null,
      disabledFeatures: [],
      unknown: true,
      instanceId: agent.instanceId,
    });
  });

  it("should not replay another namespace's history through Last-Event-ID", async () => {
    const { agent } = await start();
    const payments = agent.degradation('checkout', 'payments');
    for (const level of ['MINIMAL', 'SEVERE'] as const) payments.override(level, 'secret reason');
    const headers = { authorization: `Bearer ${SHOP_OPS}`, 'last-event-id': 'payments/checkout:0' };
    const stream = await api.stream('/api/v1/decisions/stream', headers);
    await vi.waitFor(() => expect(stream.events).toHaveLength(3));
    expect(stream.parsed().map(([event, id]) => `${event} ${id}`)).toEqual([
      'agent ',
      'state shop/checkout:0',
      'admission-state shop/checkout:0',
    ]);
    const admin = await api.stream('/api/v1/decisions/stream?namespace=payments', {
      ...headers,
      authorization: `Bearer ${TOKENS.admin}`,
    });
    await vi.waitFor(() => expect(admin.events).toHaveLength(5));
    expect(admin.parsed().map(([event, id]) => `${event} ${id}`)).toEqual([
      'agent ',
      'decision payments/checkout:1',
      'decision payments/checkout:2',
      'state payments/checkout:2',
      'admission-state payments/checkout:2',
    ]);
  });
});
