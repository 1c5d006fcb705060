import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Agent, type DegradationDecision, ManualClock } from '../../../agent/index.ts';
import { testAgent } from '../../helpers/agent.ts';
import { decisionApiHarness, FAST_BACKOFF, READER_TOKEN } from '../../helpers/decision-api.ts';

const FEATURES = {
  minimal: { disable: ['recommendations'] },
  moderate: { disable: ['personalization'] },
  severe: { disable: ['analytics_events'] },
};

const harness = decisionApiHarness('checkout');
const { serve, connect } = harness;
afterEach(async () => {
  await harness.close();
  vi.restoreAllMocks();
});

function newAgent(): Agent {
  return testAgent({ degradation: { levels: FEATURES } }).agent;
}

/** A fetch whose one response streams `text` then stays open. */
function fetchOf(...texts: string[]): typeof fetch {
  return async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const text of texts) controller.enqueue(new TextEncoder().encode(text));
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  };
}

describe('connectDecisions', () => {
  it('should start at NONE with every feature on, before anything is known', () => {
    const client = connect({ url: 'http://127.0.0.1:9' });
    expect([
      client.level,
      client.features.enabled('recommendations'),
      client.connected,
      client.lastUpdateMs,
    ]).toEqual(['NONE', true, false, undefined]);
    expect(client.features.disabled()).toEqual([]);
  });

  it('should apply the state, then each decision, flipping features and calling onDecision', async () => {
    const agent = newAgent();
    const manager = agent.degradation('checkout');
    manager.override('MINIMAL', 'before connect');
    const server = await serve(agent);
    const decisions: DegradationDecision[] = [];
    const client = connect({ url: server.url, onDecision: (d) => decisions.push(d), now: () => 42 });
    await vi.waitFor(() => expect(client.level).toBe('MINIMAL'));
    expect([client.connected, client.lastUpdateMs, client.features.enabled('recommendations')]).toEqual([
      true,
      42,
      false,
    ]);
    const moderate = manager.override('MODERATE', 'incident');
    await vi.waitFor(() => expect(client.level).toBe('MODERATE'));
    expect(client.features.disabled()).toEqual(['recommendations', 'personalization']);
    expect(client.features.enabled('analytics_events')).toBe(true);
    manager.override('NONE', 'over');
    await vi.waitFor(() => expect(client.features.enabled('recommendations')).toBe(true));
    expect(decisions.map((d) => [d.seq, d.to])).toEqual([
      [2, 'MODERATE'],
      [3, 'NONE'],
    ]);
    expect(decisions[0]).toEqual(JSON.parse(JSON.stringify(moderate)));
  });

  it('should follow only its own (namespace, service) when another namespace has a service of the same name', async () => {
    const agent = newAgent();
    const shop = agent.degradation('checkout', 'shop');
    const payments = agent.degradation('checkout', 'payments');
    const bare = agent.degradation('checkout');
    payments.override('SEVERE', 'payments only');
    const server = await serve(agent);
    const seen: DegradationDecision[] = [];
    const client = connect({ url: server.url, namespace: 'shop', onDecision: (d) => seen.push(d) });
    const unnamespaced = connect({ url: server.url });
    await vi.waitFor(() => expect([client.connected, unnamespaced.connected]).toEqual([true, true]));
    expect([client.level, unnamespaced.level]).toEqual(['NONE', 'NONE']);
    payments.override('CRITICAL', 'payments again');
    bare.override('MODERATE', 'no namespace');
    shop.override('MINIMAL', 'shop');
    await vi.waitFor(() => expect(client.level).toBe('MINIMAL'));
    await vi.waitFor(() => expect(unnamespaced.level).toBe('MODERATE'));
    expect(seen.map((d) => [d.namespace, d.service, d.to])).toEqual([['shop', 'checkout', 'MINIMAL']]);
    expect(client.features.disabled()).toEqual(['recommendations']);
  });

  it('should keep the last state while the agent is away and catch up when it is back on the same port', async () => {
    vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const agent = newAgent();
    const manager = agent.degradation('checkout');
    const first = await serve(agent);
    const decisions: DegradationDecision[] = [];
    const clock = new ManualClock();
    const client = connect({ url: first.url, onDecision: (d) => decisions.push(d), clock });
    await vi.waitFor(() => expect(client.connected).toBe(true));
    manager.override('MODERATE', 'incident');
    await vi.waitFor(() => expect(client.level).toBe('MODERATE'));
    await first.close();
    // Three failed reconnections: each is refused over a real socket (a bounded real-time poll
    // until its backoff wait is the one timer pending), then the clock ends that wait.
    for (let attempt = 0; attempt < 3; attempt++) {
      await vi.waitFor(() => expect([client.connected, clock.pendingTimers]).toEqual([false, 1]));
      await clock.advanceAsync(FAST_BACKOFF.maxMs * 1.5);
    }
    expect([client.level, client.features.enabled('personalization')]).toEqual(['MODERATE', false]);
    manager.override('SEVERE', 'while the API was down');
    await serve(agent, first.port);
    await vi.waitFor(async () => {
      await clock.advanceAsync(FAST_BACKOFF.maxMs * 1.5);
      expect(client.level).toBe('SEVERE');
    });
    expect(client.connected).toBe(true);
    // Resumed after checkout:1 with Last-Event-ID: the decision taken meanwhile is replayed.
    expect(decisions.map((d) => [d.seq, d.to])).toEqual([
      [1, 'MODERATE'],
      [2, 'SEVERE'],
    ]);
  });

  it('should take the state of a new agent on the same port as authoritative', async () => {
    vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const first = await serve(newAgent());
    const client = connect({ url: first.url });
    await vi.waitFor(() => expect(client.connected).toBe(true));
    await first.close();
    const restarted = newAgent();
    restarted.degradation('checkout').override('SEVERE', 'restarted pinned');
    await serve(restarted, first.port);
    await vi.waitFor(() => expect(client.level).toBe('SEVERE'));
  });

  it('should report a refused token through diag, stay at NONE and keep retrying', async () => {
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const debug = vi.spyOn(diag, 'debug').mockImplementation(() => {});
    const server = await serve(newAgent());
    const client = connect({ url: server.url, token: 'wrong-token-0123456789' });
    await vi.waitFor(() => expect(debug).toHaveBeenCalled());
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toBe(
      'headroom: HTTP 401: the bearer token is missing, malformed or unknown (checkout); keeping level NONE and retrying',
    );
    expect([client.level, client.connected]).toEqual(['NONE', false]);
  });

  it('should ignore malformed events and other services, and survive a throwing onDecision', async () => {
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const error = vi.spyOn(diag, 'error').mockImplementation(() => {});
    const decision = { seq: 1, service: 'checkout', to: 'SEVERE', disabledFeatures: ['a', 'b'] };
    const client = connect({
      url: 'http://agent.invalid',
      fetch: fetchOf(
        'event: state\ndata: {not json\n\n',
        'event: state\ndata: {"service":"checkout","level":"HIGH","disabledFeatures":[]}\n\n',
        'event: state\ndata: {"service":"other","level":"CRITICAL","disabledFeatures":["x"]}\n\n',
        `event: decision\nid: checkout:1\ndata: ${JSON.stringify(decision)}\n\n`,
      ),
      onDecision: () => {
        throw new Error('host bug');
      },
    });
    await vi.waitFor(() => expect(client.level).toBe('SEVERE'));
    expect(client.features.disabled()).toEqual(['a', 'b']);
    expect(warn.mock.calls.map((call) => call[0])).toEqual([
      'headroom: ignored a malformed state event from the decision stream of checkout',
      'headroom: ignored a malformed state event from the decision stream of checkout',
    ]);
    expect(error.mock.calls[0]?.[0]).toBe('headroom: an onDecision listener threw');
  });

  it('should reopen a stream that stays silent longer than idleTimeoutMs', async () => {
    vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const fetchSpy = vi.fn(fetchOf(': hello\n\n'));
    const clock = new ManualClock();
    const backoff = { ...FAST_BACKOFF, random: () => 0.5 }; // reconnects after exactly 10 ms
    connect({ url: 'http://agent.invalid', fetch: fetchSpy, idleTimeoutMs: 20_000, clock, backoff });
    for (let calls = 1; calls <= 3; calls++) {
      await vi.waitFor(() => expect(fetchSpy.mock.calls.length).toBe(calls));
      await clock.advanceAsync(19_999);
      expect(fetchSpy.mock.calls.length).toBe(calls); // still open: silent for less than 20 s
      await clock.advanceAsync(1 + 10); // silent 20 s: closed, and reopened 10 ms later
    }
    const [url, init] = fetchSpy.mock.calls[0] ?? [];
    expect(String(url)).toBe('http://agent.invalid/api/v1/decisions/stream?namespace=&service=checkout');
    expect(init?.headers).toEqual({
      accept: 'text/event-stream',
      'cache-control': 'no-cache',
      authorization: `Bearer ${READER_TOKEN}`,
    });
  });

  it('should leave no open handle after close(), connected or waiting to reconnect', async () => {
    vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const server = await serve(newAgent());
    await settle();
    const baseline = resourceCounts();
    const live = connect({ url: server.url });
    const waiting = connect({ url: 'http://127.0.0.1:9', backoff: { initialMs: 60_000 } });
    await vi.waitFor(() => expect(live.connected).toBe(true));
    // The check can see a connection: two more sockets (client and server side) while it is open.
    expect(resourceCounts().TCPSocketWrap).toBe((baseline.TCPSocketWrap ?? 0) + 2);
    live.close();
    waiting.close();
    live.close(); // idempotent
    // Sockets close asynchronously (later on a loaded machine): wait, at most 5 s, for the baseline,
    // on settle()'s timer, which is gone when it is counted (vi.waitFor's own timers would count).
    let after = resourceCounts();
    for (let i = 0; i < 100 && !sameCounts(after, baseline); i++) {
      await settle();
      after = resourceCounts();
    }
    expect(live.connected).toBe(false);
    for (const [type, count] of Object.entries(after))
      expect([type, count]).toEqual([type, baseline[type] ?? 0]);
  });
});

/** Lets sockets finish closing and one-shot timers fire. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 50));
}

/** Whether every type has its baseline count (types absent from `after` are at 0). */
function sameCounts(after: Record<string, number>, baseline: Record<string, number>): boolean {
  return Object.entries(after).every(([type, count]) => count === (baseline[type] ?? 0));
}

/** Handles and requests that keep the event loop alive, counted by type. */
function resourceCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}
