/**
 * `GET /api/v1/view/stream` on the embedded view listener: the exact event sequence (view, point,
 * service, evicted) driven by a ManualClock, the per-token stream cap (429 with Retry-After, the
 * decision stream's quota), keepalives, and the history ring freed when its series is evicted.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openStream } from '../collector/api/setup.ts';
import { recordMany } from '../helpers/agent.ts';
import { recordTraffic, startSeededView, TOKENS } from './setup.ts';

const T0 = 1_700_000_000_000;
const STREAM = '/api/v1/view/stream';

let view: Awaited<ReturnType<typeof startSeededView>> | undefined;
const streams: Awaited<ReturnType<typeof openStream>>[] = [];

afterEach(async () => {
  for (const stream of streams.splice(0)) await stream.close();
  await view?.close();
  view = undefined;
});

async function open(token: string, query = '') {
  const stream = await openStream(`${view?.url}${STREAM}${query}`, { authorization: `Bearer ${token}` });
  streams.push(stream);
  return stream;
}

const point = (service: string, operation: string, context: string, values: Record<string, unknown>) => ({
  namespace: service === 'search' ? 'search' : 'payments',
  service,
  operation,
  context,
  ...values,
});

describe('GET /api/v1/view/stream', () => {
  it('should send view first, a point per resolution step, service after a level change and evicted when the agent forgets a service', async () => {
    view = await startSeededView({ limits: { idleTime: '1m' } });
    const { agent, clock } = view;
    const stream = await open(TOKENS.paymentsOps);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.response.headers.get('x-headroom-instance')).toBe(agent.instanceId);
    await vi.waitFor(() => expect(stream.events).toHaveLength(1));
    recordTraffic(agent, clock);
    agent.tick();
    clock.advance(5_000);
    agent.tick(); // same step: no point
    const manager = agent.degradation('checkout', 'payments');
    manager.override('NONE', 'drill');
    manager.clearOverride('drill over');
    await vi.waitFor(() => expect(stream.events).toHaveLength(5));
    clock.advance(70_000); // past idleTime: the series and then the service are evicted
    agent.tick();
    await vi.waitFor(() => expect(stream.events).toHaveLength(7));
    const events = stream.events.map((event) => [event.event, JSON.parse(event.data)]);
    const quote = { status: 'warning', observedMs: 40, budgetMs: 50, headroom: 0.2, count: 100 };
    const browse = { status: 'ok', observedMs: 100, budgetMs: 200, headroom: 0.5, count: 50 };
    expect(events[0]).toEqual([
      'view',
      {
        generatedAtMs: T0,
        instanceId: agent.instanceId,
        resolutionMs: 10_000,
        lengthMs: 30_000,
        services: [],
      },
    ]);
    expect(events[1]).toEqual([
      'point',
      {
        atMs: T0,
        points: [
          point('checkout', 'quote', 'emergency', { p50: 40, p95: 40, p99: 40, ...quote }),
          point('checkout', 'browse', 'routine', { p50: 100, p95: 100, p99: 100, ...browse }),
        ],
      },
    ]);
    // The service is new at this step (a point cannot carry it), then the override and its end.
    expect(
      events.slice(2, 5).map(([name, data]) => [name, data.level, data.overridden, data.operations.length]),
    ).toEqual([
      ['service', 'NONE', false, 2],
      ['service', 'NONE', true, 2],
      ['service', 'NONE', false, 2],
    ]);
    // A service event carries no histories.
    expect(events[2]?.[1].operations.map((op: object) => 'history' in op)).toEqual([false, false]);
    expect(events.slice(5)).toEqual([
      ['evicted', { namespace: 'payments', service: 'checkout' }],
      ['point', { atMs: T0 + 70_000, points: [] }],
    ]);
    expect(view.historyRings()).toBe(0);
  });

  it("should send a service's new SLO statuses at the step that saw its burn change", async () => {
    view = await startSeededView();
    const { agent, clock } = view;
    const stream = await open(TOKENS.reader);
    recordTraffic(agent, clock);
    agent.tick();
    clock.advance(10_000);
    // Half of checkout's routine operations now over their 200 ms budget: bad SLO events.
    recordMany(
      agent,
      clock,
      { namespace: 'payments', service: 'checkout', operation: 'browse', context: 'routine' },
      300,
      50,
    );
    agent.tick();
    await vi.waitFor(() => expect(stream.events.length).toBeGreaterThanOrEqual(6));
    const events = stream.events.map((event) => [event.event, JSON.parse(event.data)]);
    // Both services are new at the first step; the second tick brings the step and the SLO change
    // (the slow traffic is all CRITICAL: the admission controller sheds CRITICAL, capped under 1,
    // only once an overload has lasted a step delay, so no admission decision yet).
    expect(events.map(([name, data]) => `${name} ${data.service ?? ''}`)).toEqual([
      'view ',
      'point ',
      'service checkout',
      'service search',
      'point ',
      'service checkout',
    ]);
    const burn = 0.5 / (1 - 0.99);
    expect(events[5]?.[1].slos).toEqual([
      {
        name: 'checkout-latency',
        objective: 0.99,
        windowMs: 2_592_000_000,
        errorBudgetRemaining: 1 - burn,
        burnRates: [
          {
            severity: 'page',
            longWindowMs: 3_600_000,
            shortWindowMs: 300_000,
            long: burn,
            short: burn,
            threshold: 14.4,
          },
          {
            severity: 'page',
            longWindowMs: 21_600_000,
            shortWindowMs: 1_800_000,
            long: burn,
            short: burn,
            threshold: 6,
          },
          {
            severity: 'ticket',
            longWindowMs: 86_400_000,
            shortWindowMs: 7_200_000,
            long: burn,
            short: burn,
            threshold: 3,
          },
          {
            severity: 'ticket',
            longWindowMs: 259_200_000,
            shortWindowMs: 21_600_000,
            long: burn,
            short: burn,
            threshold: 1,
          },
        ],
      },
    ]);
  });

  it('should refuse a stream past api.maxStreamsPerToken with 429, Retry-After and the reason, and take one again once closed', async () => {
    view = await startSeededView();
    const first = await open(TOKENS.reader);
    await open(TOKENS.reader);
    const refused = await view.get(STREAM, TOKENS.reader);
    expect({
      status: refused.status,
      retryAfter: refused.headers.get('retry-after'),
      body: await refused.json(),
    }).toEqual({
      status: 429,
      retryAfter: '5',
      body: {
        error: {
          code: 'too_many_streams',
          message:
            'too many open streams for token "reader" (2, api.maxStreamsPerToken); close one or retry later',
        },
      },
    });
    expect((await open(TOKENS.paymentsOps)).response.status).toBe(200);
    await first.close();
    await vi.waitFor(async () => {
      const again = await open(TOKENS.reader);
      expect(again.response.status).toBe(200);
    });
  });

  it('should send a keepalive comment every 15 s of the agent clock', async () => {
    view = await startSeededView();
    const stream = await open(TOKENS.reader);
    await vi.waitFor(() => expect(stream.events).toHaveLength(1));
    view.clock.advance(15_000);
    await vi.waitFor(() => expect(stream.comments).toEqual(['keepalive']));
  });

  it('should free the ring of an evicted series and size new ones from ui.history', async () => {
    view = await startSeededView({
      limits: { idleTime: '1m' },
      ui: { enabled: true, port: 0, history: { resolution: '5s', length: '1m' } },
    });
    const { agent, clock } = view;
    recordTraffic(agent, clock);
    agent.tick();
    expect({ rings: view.historyRings(), bytes: view.historyBytes() }).toEqual({
      rings: 3,
      bytes: 3 * 12 * 44,
    });
    clock.advance(30_000);
    recordMany(
      agent,
      clock,
      { namespace: 'search', service: 'search', operation: 'query', context: 'routine' },
      100,
      5,
    );
    agent.tick();
    clock.advance(40_000);
    agent.tick(); // checkout idle for 70 s: evicted; search for 40 s: kept
    expect({ rings: view.historyRings(), bytes: view.historyBytes() }).toEqual({ rings: 1, bytes: 12 * 44 });
  });
});
