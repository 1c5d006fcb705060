/**
 * The admission side of the decision API (issue 15): a service's admission state and its audit log
 * on the same paths and behind the same tokens as its degradation, and admission events on the
 * decision stream. Real server on 127.0.0.1:0, whole bodies.
 */
import { describe, expect, it, vi } from 'vitest';
import type { AdmissionDecision } from '../../../agent/index.ts';
import { apiPerTest, DEFAULT_API, IDLE_CLASSES, type startTestApi, TOKENS } from './setup.ts';

const T0 = 1_700_000_000_000;
const PAYMENTS = '/api/v1/namespaces/payments/services/checkout';
const SEARCH = '/api/v1/namespaces/search/services/search';
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

const api = apiPerTest();
const start = () => api.start(DEFAULT_API);

const idle = (admitted = 0, rejected = 0) => ({ probability: 0, minProbability: 0, admitted, rejected });

/** The classes of a service at NONE with nothing counted. */
const AT_NONE = IDLE_CLASSES;

/** payments/checkout pinned at SEVERE and one tick: SHEDDABLE's floor is 100 %. */
function severe(context: Awaited<ReturnType<typeof startTestApi>>) {
  const { agent } = context;
  agent.admission('checkout', 'payments');
  agent.degradation('checkout', 'payments').override('SEVERE', 'incident 15');
  return agent.tick().admissionDecisions;
}

const SEVERE_DECISION = {
  seq: 1,
  at: T0,
  namespace: 'payments',
  service: 'checkout',
  criticality: 'SHEDDABLE',
  from: 0,
  to: 1,
  reason: 'degradation-level',
  message: 'SHEDDABLE rejection 0% -> 100%: degradation level NONE -> SEVERE (floor 100%, cap 100%)',
  level: 'SEVERE',
};

describe('GET .../admission', () => {
  it("should answer a service's admission: every class's probability, floor, cap and counts, the last decision", async () => {
    const context = await start();
    expect(severe(context)).toEqual([SEVERE_DECISION]);
    const admission = context.agent.admission('checkout', 'payments');
    for (const criticality of ['SHEDDABLE', 'SHEDDABLE', 'CRITICAL', 'CRITICAL_PLUS'] as const)
      admission.admit(criticality);
    const reply = await context.request(PAYMENTS + '/admission', { token: TOKENS.reader });
    expect([reply.status, reply.headers.get('content-type')]).toEqual([
      200,
      'application/json; charset=utf-8',
    ]);
    expect(reply.body).toEqual({
      namespace: 'payments',
      service: 'checkout',
      enabled: true,
      classes: {
        CRITICAL_PLUS: { ...idle(1), maxProbability: 0 },
        CRITICAL: { ...idle(1), maxProbability: 0.5 },
        SHEDDABLE_PLUS: { ...idle(), maxProbability: 0.9 },
        SHEDDABLE: { probability: 1, minProbability: 1, maxProbability: 1, admitted: 0, rejected: 2 },
      },
      lastDecision: SEVERE_DECISION,
      retryAfterMs: 1000,
    });
  });

  it('should answer a known service without decisions at NONE, lastDecision null, on the empty namespace path too', async () => {
    const { agent, directory, clock, request } = await start();
    directory.note('cart', '', clock.now());
    const bare = await request('/api/v1/services/cart/admission', { token: TOKENS.reader });
    expect([bare.status, bare.body]).toEqual([
      200,
      {
        namespace: '',
        service: 'cart',
        enabled: true,
        classes: AT_NONE,
        lastDecision: null,
        retryAfterMs: 1000,
      },
    ]);
    expect(agent.hasService('cart')).toBe(true);
  });

  it("should keep another namespace's services from a bound token, and refuse no token or a bad limit", async () => {
    const context = await start();
    severe(context);
    const { request } = context;
    const hidden = await request(SEARCH + '/admission', { token: TOKENS.paymentsOps });
    const unknown = await request('/api/v1/namespaces/payments/services/refunds/admission', {
      token: TOKENS.paymentsOps,
    });
    const notFound = (service: string, namespace: string) => ({
      error: { code: 'not_found', message: `no service named "${service}" in namespace "${namespace}"` },
    });
    expect([hidden.status, hidden.body]).toEqual([404, notFound('search', 'search')]);
    expect([unknown.status, unknown.body]).toEqual([404, notFound('refunds', 'payments')]);
    const own = await request(PAYMENTS + '/admission/decisions', { token: TOKENS.paymentsOps });
    expect([own.status, own.body]).toEqual([
      200,
      { namespace: 'payments', service: 'checkout', decisions: [SEVERE_DECISION] },
    ]);
    const anonymous = await request(PAYMENTS + '/admission');
    expect([anonymous.status, anonymous.headers.get('www-authenticate'), anonymous.body.error.code]).toEqual([
      401,
      'Bearer realm="headroom"',
      'unauthorized',
    ]);
    const zero = await request(PAYMENTS + '/admission/decisions?limit=0', { token: TOKENS.reader });
    expect([zero.status, zero.body]).toEqual([
      400,
      { error: { code: 'bad_request', message: 'limit must be a whole number from 1 to 1000, got "0"' } },
    ]);
  });
});

describe('GET .../admission/decisions', () => {
  it('should answer the admission audit log, newest last, cut to ?limit=', async () => {
    const context = await start();
    severe(context);
    const { agent, clock, request } = context;
    // Back at NONE the floor's share is the controller's (review15g H2): recovery eases it a step.
    agent.degradation('checkout', 'payments').override('NONE', 'over');
    let recovered: AdmissionDecision | undefined;
    for (let s = 0; s < 120 && recovered === undefined; s++) {
      clock.advance(1000);
      [recovered] = agent.tick().admissionDecisions;
    }
    expect(recovered).toMatchObject({
      seq: 2,
      criticality: 'SHEDDABLE',
      from: 1,
      to: 0.9,
      reason: 'recovery',
    });
    const all = await request(PAYMENTS + '/admission/decisions', { token: TOKENS.reader });
    const last = await request(PAYMENTS + '/admission/decisions?limit=1', { token: TOKENS.reader });
    const json = JSON.parse(JSON.stringify(recovered));
    expect([all.status, all.body]).toEqual([
      200,
      { namespace: 'payments', service: 'checkout', decisions: [SEVERE_DECISION, json] },
    ]);
    expect(last.body).toEqual({ namespace: 'payments', service: 'checkout', decisions: [json] });
  });
});

describe('admission on the decision stream', () => {
  it("should follow each state with the service's admission-state, and each admission decision with the new state", async () => {
    const context = await start();
    const { agent } = context;
    const stream = await api.stream(
      '/api/v1/decisions/stream?namespace=payments&service=checkout',
      auth(TOKENS.reader),
    );
    await vi.waitFor(() => expect(stream.events).toHaveLength(3));
    const degradation = agent.degradation('checkout', 'payments').override('SEVERE', 'incident 15');
    agent.tick();
    await vi.waitFor(() => expect(stream.events).toHaveLength(6));
    const instanceId = agent.instanceId;
    const admission = (classes: unknown, lastDecision: unknown) => ({
      namespace: 'payments',
      service: 'checkout',
      enabled: true,
      classes,
      lastDecision,
      retryAfterMs: 1000,
      instanceId,
    });
    expect(stream.parsed()).toEqual([
      ['agent', '', { instanceId }],
      [
        'state',
        'payments/checkout:0',
        {
          namespace: 'payments',
          service: 'checkout',
          level: 'NONE',
          overridden: false,
          since: T0,
          disabledFeatures: [],
          instanceId,
        },
      ],
      ['admission-state', 'payments/checkout:0', admission(AT_NONE, null)],
      ['decision', 'payments/checkout:1', JSON.parse(JSON.stringify(degradation))],
      ['admission-decision', 'payments/checkout:1', SEVERE_DECISION],
      [
        'admission-state',
        'payments/checkout:1',
        admission(
          { ...AT_NONE, SHEDDABLE: { ...idle(), probability: 1, minProbability: 1, maxProbability: 1 } },
          SEVERE_DECISION,
        ),
      ],
    ]);
    // Admission events carry no id (the parser reports the stream's last event id, as EventSource
    // does): a reconnection's Last-Event-ID stays the last degradation decision's.
  });

  it('should answer a named service the agent does not know with an unknown admission-state at 0', async () => {
    const { agent } = await start();
    const stream = await api.stream(
      '/api/v1/decisions/stream?namespace=payments&service=refunds',
      auth(TOKENS.reader),
    );
    await vi.waitFor(() => expect(stream.events).toHaveLength(3));
    expect(stream.parsed()[2]).toEqual([
      'admission-state',
      'payments/refunds:0',
      {
        namespace: 'payments',
        service: 'refunds',
        enabled: true,
        classes: AT_NONE,
        lastDecision: null,
        retryAfterMs: 1000,
        unknown: true,
        instanceId: agent.instanceId,
      },
    ]);
    expect(agent.hasService('refunds', 'payments')).toBe(false);
  });

  it("should keep another namespace's admission decisions out of a bound token's stream", async () => {
    const context = await start();
    const { agent } = context;
    const stream = await api.stream('/api/v1/decisions/stream', auth(TOKENS.paymentsOps));
    await vi.waitFor(() => expect(stream.events).toHaveLength(3));
    agent.admission('search', 'search');
    agent.degradation('search', 'search').override('SEVERE', 'hidden');
    agent.tick();
    agent.degradation('checkout', 'payments').override('SEVERE', 'visible');
    agent.tick();
    await vi.waitFor(() => expect(stream.events).toHaveLength(6));
    expect(stream.parsed().map(([event, , data]) => [event, data.namespace, data.service])).toEqual([
      ['agent', undefined, undefined],
      ['state', 'payments', 'checkout'],
      ['admission-state', 'payments', 'checkout'],
      ['decision', 'payments', 'checkout'],
      ['admission-decision', 'payments', 'checkout'],
      ['admission-state', 'payments', 'checkout'],
    ]);
  });
});
