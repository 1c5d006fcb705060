import { describe, expect, it } from 'vitest';
import type { Agent, Series, SeriesHandle } from '../../agent/index.ts';
import { configOf, testAgent } from '../helpers/agent.ts';

const TICK_MS = 1000;

/** Every series the agent holds: its names and its totals [count, sumMs, errorCount]. */
function held(agent: Agent): [string, string, string, string, string, number, number, number][] {
  return agent.registry
    .list()
    .map((s) => [s.namespace, s.service, s.operation, s.context, s.phase, ...totalsOf(s)]);
}

function totalsOf(series: Series): [number, number, number] {
  return [series.totals.count, series.totals.sumMs, series.totals.errorCount];
}

function drops(agent: Agent) {
  const { samplesDroppedDuration, samplesDroppedLate, samplesDroppedInvalid } = agent.health();
  return { samplesDroppedDuration, samplesDroppedLate, samplesDroppedInvalid };
}

describe('series handles', () => {
  it('should create no series before a sample is kept, and count the samples dropped before it', () => {
    const { agent, clock } = testAgent();
    const handle = agent.series({ service: 'checkout', operation: 'quote', context: 'emergency' });
    expect(agent.registry.size).toBe(0);

    handle.record(3_600_000.001, false, clock.now()); // over window.maxSpanDuration (1 h)
    handle.record(5, false, clock.now() - 1, clock.now()); // before the caller's notBeforeMs: late
    expect(agent.registry.size).toBe(0);

    handle.record(5, true, clock.now());
    handle.record(Number.NaN, false, clock.now()); // refused by the window, counted there
    handle.record(7, false, clock.now(), clock.now());
    expect(held(agent)).toStrictEqual([['', 'checkout', 'quote', 'emergency', '', 2, 12, 1]]);
    expect(drops(agent)).toStrictEqual({
      samplesDroppedDuration: 1,
      samplesDroppedLate: 1,
      samplesDroppedInvalid: 1,
    });
  });

  it('should keep tenants apart: the same names in two namespaces are two series', () => {
    const { agent, clock } = testAgent();
    const names = { service: 'checkout', operation: 'quote', context: 'routine', phase: 'routing' };
    agent.series({ ...names, namespace: 'shop' }).record(10, false, clock.now());
    agent.series(names).record(20, false, clock.now());
    agent.series({ ...names, namespace: 'shop' }).record(30, false, clock.now());

    expect(held(agent)).toStrictEqual([
      ['shop', 'checkout', 'quote', 'routine', 'routing', 2, 40, 0],
      ['', 'checkout', 'quote', 'routine', 'routing', 1, 20, 0],
    ]);
  });

  it('should record into a new series after its series was evicted, never into the dead one', () => {
    const { agent, clock } = testAgent({ limits: { idleTime: '2m' } });
    const handle = agent.series({ service: 'checkout', operation: 'quote', context: 'routine' });
    handle.record(10, false, clock.now());
    const [evicted] = agent.registry.list() as [Series];

    clock.advance(120_000);
    agent.tick();
    expect([agent.registry.size, evicted.retired, agent.health().seriesEvicted]).toStrictEqual([0, true, 1]);

    handle.record(20, false, clock.now());
    const [revived] = agent.registry.list() as [Series];
    expect(revived).not.toBe(evicted);
    expect(revived.retired).toBe(false);
    expect(held(agent)).toStrictEqual([['', 'checkout', 'quote', 'routine', '', 1, 20, 0]]);
    expect(totalsOf(evicted)).toStrictEqual([1, 10, 0]);
  });

  it('should record into a new series after its series was deleted', () => {
    const { agent, clock } = testAgent();
    const handle = agent.series({ service: 'checkout', operation: 'quote', context: 'routine' });
    handle.record(10, false, clock.now());
    expect(agent.registry.delete('checkout', 'quote', 'routine')).toBe(true);

    handle.record(20, false, clock.now());
    expect(held(agent)).toStrictEqual([['', 'checkout', 'quote', 'routine', '', 1, 20, 0]]);
  });

  it('should count each sample folded into an overflow series, and leave it once a cap has room', () => {
    const { agent, clock } = testAgent({ window: { maxSeries: 2 }, limits: { idleTime: '2m' } });
    const [a, keep, b] = ['a', 'keep', 'b'].map((operation) =>
      agent.series({ service: 'svc', operation, context: 'routine' }),
    ) as [SeriesHandle, SeriesHandle, SeriesHandle];
    a.record(10, false, clock.now());
    keep.record(10, false, clock.now());
    for (let i = 0; i < 3; i++) b.record(20, false, clock.now());
    expect(held(agent)).toStrictEqual([
      ['', 'svc', 'a', 'routine', '', 1, 10, 0],
      ['', 'svc', 'keep', 'routine', '', 1, 10, 0],
      ['', 'svc', '__overflow__', 'routine', '', 3, 60, 0],
    ]);
    expect(agent.health().seriesOverflowed).toBe(3);

    // `a` turns idle while the others go on: 120 more samples of b fold, then `a` is evicted (its
    // room frees at the tick of second 120) and b's next sample gets a series of its own.
    for (let second = 1; second <= 121; second++) {
      clock.advance(TICK_MS);
      keep.record(10, false, clock.now());
      b.record(20, false, clock.now());
      agent.tick();
    }
    expect(held(agent)).toStrictEqual([
      ['', 'svc', 'keep', 'routine', '', 122, 1220, 0],
      ['', 'svc', '__overflow__', 'routine', '', 123, 2460, 0],
      ['', 'svc', 'b', 'routine', '', 1, 20, 0],
    ]);
    expect(agent.health().seriesOverflowed).toBe(123);
  });

  it('should count a truncated name at every sample, as a lookup by the full name does', () => {
    const { agent, clock } = testAgent({ limits: { nameLength: 16 } });
    const handle = agent.series({ service: 'svc', operation: 'o'.repeat(20), context: 'routine' });
    for (let i = 0; i < 3; i++) handle.record(10, false, clock.now());

    expect(held(agent)).toStrictEqual([['', 'svc', 'o'.repeat(16), 'routine', '', 3, 30, 0]]);
    expect(agent.health().truncated.operation).toBe(3);
  });

  it('should keep writing to its series across a reload that keeps series data', () => {
    const { agent, clock } = testAgent();
    const handle = agent.series({ service: 'svc', operation: 'quote', context: 'routine' });
    handle.record(10, false, clock.now());
    agent.reconfigure(configOf({ contexts: { routine: { budget: '150ms' } } }));

    handle.record(20, false, clock.now());
    expect(held(agent)).toStrictEqual([['', 'svc', 'quote', 'routine', '', 2, 30, 0]]);
  });

  it("should follow a reload to the new registry when the window's shape changes", () => {
    const { agent, clock } = testAgent();
    const handle = agent.series({ service: 'svc', operation: 'quote', context: 'routine' });
    handle.record(10, false, clock.now());
    agent.reconfigure(configOf({ window: { length: '30s' } }));

    handle.record(20, false, clock.now());
    expect(held(agent)).toStrictEqual([['', 'svc', 'quote', 'routine', '', 1, 20, 0]]);
    expect(agent.registry.list().map((s) => s.window.windowMs)).toStrictEqual([30_000]);
  });

  it('should follow a reload that shortens limits.nameLength to the truncated series', () => {
    const { agent, clock } = testAgent({ limits: { nameLength: 64 } });
    const handle = agent.series({ service: 'svc', operation: 'o'.repeat(40), context: 'routine' });
    handle.record(10, false, clock.now());
    agent.reconfigure(configOf({ limits: { nameLength: 32 } }));

    handle.record(20, false, clock.now());
    expect(held(agent)).toStrictEqual([
      ['', 'svc', 'o'.repeat(40), 'routine', '', 1, 10, 0],
      ['', 'svc', 'o'.repeat(32), 'routine', '', 1, 20, 0],
    ]);
    expect(agent.health().truncated.operation).toBe(1);
  });
});
