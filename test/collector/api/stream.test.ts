import { describe, expect, it, vi } from 'vitest';
import { apiPerTest, DEFAULT_API, IDLE_CLASSES, TOKENS } from './setup.ts';

const T0 = 1_700_000_000_000;
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

const api = apiPerTest();
const start = (keepaliveMs?: number) => api.start(DEFAULT_API, keepaliveMs);
const open = api.stream;

/** The `admission-state` of a service at NONE with nothing judged (issue 15). */
const admission = (service: string, namespace: string, instanceId: string) => ({
  namespace,
  service,
  enabled: true,
  classes: IDLE_CLASSES,
  lastDecision: null,
  retryAfterMs: 1000,
  instanceId,
});

const state = (service: string, namespace: string, instanceId: string) => ({
  service,
  namespace,
  level: 'NONE',
  overridden: false,
  since: T0,
  disabledFeatures: [],
  instanceId,
});

describe('GET /api/v1/decisions/stream', () => {
  it('should send each visible service state, then each new decision with a service:seq id', async () => {
    const { agent } = await start();
    agent.degradation('checkout', 'payments');
    const stream = await open('/api/v1/decisions/stream', auth(TOKENS.reader));
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(stream.response.headers.get('x-headroom-instance')).toBe(agent.instanceId);
    await vi.waitFor(() => expect(stream.events).toHaveLength(5));
    const decision = agent.degradation('checkout', 'payments').override('MODERATE', 'incident 9');
    await vi.waitFor(() => expect(stream.events).toHaveLength(6));
    // Each state is followed by the service's admission state; admission events carry no id, so
    // the parser's last event id stays the state's.
    expect(stream.parsed()).toEqual([
      ['agent', '', { instanceId: agent.instanceId }],
      ['state', 'payments/checkout:0', state('checkout', 'payments', agent.instanceId)],
      ['admission-state', 'payments/checkout:0', admission('checkout', 'payments', agent.instanceId)],
      ['state', 'search/search:0', state('search', 'search', agent.instanceId)],
      ['admission-state', 'search/search:0', admission('search', 'search', agent.instanceId)],
      ['decision', 'payments/checkout:1', JSON.parse(JSON.stringify(decision))],
    ]);
  });

  it('should follow only the service named by ?service=', async () => {
    const { agent } = await start();
    const stream = await open('/api/v1/decisions/stream?service=search', auth(TOKENS.reader));
    await vi.waitFor(() => expect(stream.events).toHaveLength(3));
    agent.degradation('checkout', 'payments').override('SEVERE', 'not for search');
    agent.degradation('search', 'search').override('MINIMAL', 'for search');
    await vi.waitFor(() => expect(stream.events).toHaveLength(4));
    expect(stream.parsed().map(([event, id]) => [event, id])).toEqual([
      ['agent', ''],
      ['state', 'search/search:0'],
      ['admission-state', 'search/search:0'],
      ['decision', 'search/search:1'],
    ]);
  });

  it('should keep another namespace out of a namespaced stream, filtered or asked for by name', async () => {
    const { agent } = await start();
    const all = await open('/api/v1/decisions/stream', auth(TOKENS.paymentsOps));
    const named = await open('/api/v1/decisions/stream?service=search', auth(TOKENS.paymentsOps));
    expect(named.response.status).toBe(200);
    await vi.waitFor(() => expect(all.events).toHaveLength(3));
    agent.degradation('search', 'search').override('CRITICAL', 'hidden');
    agent.degradation('checkout', 'payments').override('MINIMAL', 'visible');
    await vi.waitFor(() => expect(all.events).toHaveLength(4));
    expect(all.parsed().map(([event, id]) => [event, id])).toEqual([
      ['agent', ''],
      ['state', 'payments/checkout:0'],
      ['admission-state', 'payments/checkout:0'],
      ['decision', 'payments/checkout:1'],
    ]);
    expect(named.parsed()).toEqual([['agent', '', { instanceId: agent.instanceId }]]);
  });

  it('should answer a service named in full that the agent does not know as unknown at NONE', async () => {
    const { agent } = await start();
    const stream = await open(
      '/api/v1/decisions/stream?namespace=payments&service=refunds',
      auth(TOKENS.reader),
    );
    await vi.waitFor(() => expect(stream.events).toHaveLength(3));
    expect(stream.parsed()).toEqual([
      ['agent', '', { instanceId: agent.instanceId }],
      [
        'state',
        'payments/refunds:0',
        {
          namespace: 'payments',
          service: 'refunds',
          level: 'NONE',
          overridden: false,
          since: null,
          disabledFeatures: [],
          unknown: true,
          instanceId: agent.instanceId,
        },
      ],
      [
        'admission-state',
        'payments/refunds:0',
        { ...admission('refunds', 'payments', agent.instanceId), unknown: true },
      ],
    ]);
  });

  it('should replay the decisions after Last-Event-ID before the state', async () => {
    const { agent } = await start();
    const manager = agent.degradation('checkout', 'payments');
    for (const level of ['MINIMAL', 'SEVERE', 'NONE'] as const) manager.override(level, level);
    const stream = await open('/api/v1/decisions/stream?service=checkout', {
      ...auth(TOKENS.reader),
      'last-event-id': 'payments/checkout:1',
    });
    await vi.waitFor(() => expect(stream.events).toHaveLength(5));
    expect(stream.parsed().map(([event, id, data]) => [event, id, data.level ?? data.to])).toEqual([
      ['agent', '', undefined],
      ['decision', 'payments/checkout:2', 'SEVERE'],
      ['decision', 'payments/checkout:3', 'NONE'],
      ['state', 'payments/checkout:3', 'NONE'],
      ['admission-state', 'payments/checkout:3', undefined],
    ]);
  });

  it('should not replay when Last-Event-ID is ahead of the service (the agent restarted)', async () => {
    const { agent } = await start();
    agent.degradation('checkout', 'payments').override('MINIMAL', 'x');
    const stream = await open('/api/v1/decisions/stream?service=checkout', {
      ...auth(TOKENS.reader),
      'last-event-id': 'payments/checkout:42',
    });
    await vi.waitFor(() => expect(stream.events).toHaveLength(3));
    expect(stream.parsed().map(([event, id]) => [event, id])).toEqual([
      ['agent', ''],
      ['state', 'payments/checkout:1'],
      ['admission-state', 'payments/checkout:1'],
    ]);
  });

  it('should send a keepalive comment every keepaliveMs of the agent clock', async () => {
    const { clock } = await start(20);
    const stream = await open('/api/v1/decisions/stream', auth(TOKENS.reader));
    await vi.waitFor(() => expect(stream.events).toHaveLength(5));
    clock.advance(19);
    expect(stream.comments).toEqual([]);
    clock.advance(1);
    await vi.waitFor(() => expect(stream.comments).toEqual(['keepalive']));
    clock.advance(40);
    await vi.waitFor(() => expect(stream.comments).toEqual(['keepalive', 'keepalive', 'keepalive']));
  });

  it('should refuse a stream without a token with 401', async () => {
    await start();
    const stream = await open('/api/v1/decisions/stream', {});
    expect([stream.response.status, stream.response.headers.get('www-authenticate')]).toEqual([
      401,
      'Bearer realm="headroom"',
    ]);
  });

  it('should end open streams and stop listening on close()', async () => {
    const { server } = await start();
    const stream = await open('/api/v1/decisions/stream', auth(TOKENS.reader));
    await vi.waitFor(() => expect(stream.events).toHaveLength(5));
    await server.close();
    expect(await stream.done).toBe('ended');
    await expect(fetch(`${server.url}/-/healthy`)).rejects.toThrow();
    await server.close(); // idempotent
  });

  it('should stop the keepalive timer of a stream when its client goes away', async () => {
    const { clock } = await start(10_000);
    const baseline = clock.pendingTimers;
    const stream = await open('/api/v1/decisions/stream', auth(TOKENS.reader));
    await vi.waitFor(() => expect(stream.events).toHaveLength(5));
    expect(clock.pendingTimers).toBe(baseline + 1);
    await stream.close();
    await vi.waitFor(() => expect(clock.pendingTimers).toBe(baseline));
  });

  it('should leave no handle open after close() with streams open', async () => {
    const baseline = await pollCounts(
      (counts) => !Object.keys(counts).some((type) => type.startsWith('TCP')),
    );
    const { server } = await start();
    const stream = await open('/api/v1/decisions/stream', auth(TOKENS.reader));
    await vi.waitFor(() => expect(stream.events).toHaveLength(5));
    await server.close();
    await stream.done;
    // Every kind of handle left is one that was there before (a timer of the test runner may come and go).
    const leftOver = (counts: Record<string, number>) =>
      Object.entries(counts).filter(([type, count]) => count !== (baseline[type] ?? 0));
    expect(leftOver(await pollCounts((counts) => leftOver(counts).length === 0))).toEqual([]);
  });
});

/** Handles and requests that keep the event loop alive, counted by type. */
function resourceCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/**
 * Real sockets close asynchronously: polls the counts until `done` holds or 2 s have passed (a
 * bound for a loaded machine), on immediates so the polling itself adds no timer handle.
 */
async function pollCounts(
  done: (counts: Record<string, number>) => boolean,
): Promise<Record<string, number>> {
  const deadlineMs = Date.now() + 2000;
  let counts = resourceCounts();
  while (!done(counts) && Date.now() < deadlineMs) {
    await new Promise((resolve) => setImmediate(resolve));
    counts = resourceCounts();
  }
  return counts;
}
