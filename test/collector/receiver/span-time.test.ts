/**
 * Plausibility and time at ingest: absurd durations are refused, a sender's clock skew is
 * estimated and its spans re-timed to arrival, and spans behind the window end counted as late.
 */
import { describe, expect, it } from 'vitest';
import { RuleMatcher } from '../../../agent/index.ts';
import { SpanIngest } from '../../../collector/receiver/span-ingest.ts';
import type { DecodedSpan } from '../../../collector/receiver/types.ts';
import { ServiceDirectory } from '../../../collector/service-directory.ts';
import type { HeadroomConfigInput } from '../../../config/index.ts';
import { testAgent } from '../../helpers/agent.ts';
import { decodedSpan, decodedTraces } from '../../helpers/spans.ts';
import { rejectedBy } from './span-outcomes.ts';

function setup(input: HeadroomConfigInput = {}) {
  const { agent, clock } = testAgent(input);
  const ingest = new SpanIngest({ agent, rules: new RuleMatcher([]), directory: new ServiceDirectory() });
  return { agent, clock, ingest };
}

/** A decoded span named `quote` (see decodedSpan). */
const span = (endTimeMs: number, durationMs: number, overrides: Partial<DecodedSpan> = {}) =>
  decodedSpan(endTimeMs, durationMs, { name: 'quote', ...overrides });
const traces = (spans: DecodedSpan[]) => decodedTraces(spans);

/** `count` spans of `durationMs` whose end times spread evenly over `endMs - spreadMs` .. `endMs`. */
function batch(count: number, durationMs: number, endMs: number, spreadMs = 0): DecodedSpan[] {
  return Array.from({ length: count }, (_, i) =>
    span(endMs - (spreadMs * i) / Math.max(1, count - 1), durationMs),
  );
}

const FULL_SUCCESS = (accepted: number, retimed = 0) => ({
  accepted,
  rejected: 0,
  rejectedBy: rejectedBy(),
  retimed,
  message: '',
});

const NS_PER_MS = 1e6;
/** 2^64 - 1 ns, the largest OTLP fixed64 timestamp (year 2554), as the decoders turn it into ms. */
const MAX_UINT64_MS = 2 ** 64 / NS_PER_MS;

describe('SpanIngest: span duration plausibility', () => {
  it('should refuse spans over window.maxSpanDuration as partial success, and their neighbours by their own reason', () => {
    const { agent, clock, ingest } = setup({ window: { maxSpanDuration: '1h' } });
    const now = clock.now();
    const outcome = ingest.ingest(
      traces([
        span(now, 0, { startTimeMs: 1 / NS_PER_MS }), // started 1 ns after the epoch: ~56 years
        span(now, 3_600_000), // exactly the limit: judged
        span(now, 3_600_001),
        span(now, 0), // zero: judged
        span(now, -1), // negative
        span(now, 5, { startTimeMs: Number.NaN }),
        span(now, 5, { endTimeMs: Number.POSITIVE_INFINITY }),
        span(MAX_UINT64_MS, 5), // ends in 2554
        span(MAX_UINT64_MS, 0, { startTimeMs: 1 / NS_PER_MS }), // 2^64-2 ns long
        span(1 / NS_PER_MS + 0.001, 0.001), // a span that ended in 1970
      ]),
    );
    expect(outcome).toEqual({
      accepted: 3,
      rejected: 7,
      rejectedBy: rejectedBy({ end_before_start: 1, duration: 5, future: 1 }),
      retimed: 0,
      message:
        'rejected 7 of 10 spans: 1 with end time before start time, 5 lasting longer than window.maxSpanDuration (60m), ' +
        "1 with end time one window (60s) or more ahead of the collector's clock",
    });
    // The 1970 span was accepted and ended counted: dropped as late, not silently lost.
    expect(agent.health()).toMatchObject({ samplesDroppedLate: 1, samplesDroppedDuration: 0 });
    const snapshot = agent.registry.list()[0]!.window.snapshot(now);
    expect([snapshot.count, snapshot.minMs, snapshot.maxMs]).toEqual([2, 0, 3_600_000]);
  });

  it('should keep p95 and every verdict unmoved by two absurd spans per twenty normal ones', () => {
    const withAbsurd = setup();
    const control = setup();
    for (let second = 0; second < 8; second++) {
      for (const { clock, ingest } of [withAbsurd, control]) {
        const now = clock.now();
        const normal = Array.from({ length: 20 }, (_, i) => span(now - i * 40, 10 + i * 1.5));
        const absurd = [1, 2].map(() => span(now, 0, { startTimeMs: 1 / NS_PER_MS }));
        const outcome = ingest.ingest(traces(ingest === withAbsurd.ingest ? [...normal, ...absurd] : normal));
        if (ingest === control.ingest) expect(outcome).toEqual(FULL_SUCCESS(20));
        else
          expect(outcome).toEqual({
            accepted: 20,
            rejected: 2,
            rejectedBy: rejectedBy({ duration: 2 }),
            retimed: 0,
            message: 'rejected 2 of 22 spans: 2 lasting longer than window.maxSpanDuration (60m)',
          });
        clock.advance(1000);
      }
    }
    const judged = withAbsurd.agent.tick();
    expect(judged.verdicts).toEqual(control.agent.tick().verdicts);
    expect(judged.verdicts).toEqual([
      {
        series: {
          namespace: 'shop',
          service: 'checkout',
          operation: 'quote',
          context: 'emergency',
          phase: '',
        },
        status: 'ok',
        percentile: 'p95',
        observedMs: judged.verdicts[0]!.observedMs,
        budgetMs: 50,
        baseBudgetMs: 50,
        ratio: judged.verdicts[0]!.observedMs / 50,
        samples: 160,
        at: withAbsurd.clock.now(),
      },
    ]);
    // p95 of 10, 11.5, ... 38.5 ms within the sketch's 1 %: 37 ms, nowhere near 1.8e12.
    expect(judged.verdicts[0]!.observedMs).toBeCloseTo(37, 0);
    expect(withAbsurd.agent.degradation('checkout').level).toBe('NONE');
  });
});

describe('SpanIngest: clock skew', () => {
  it('should judge spans of a host 120 s behind by their arrival and show the skew', () => {
    const { agent, clock, ingest } = setup();
    // Every span takes 300 ms against the 50 ms emergency budget: 6x over.
    for (let second = 0; second < 5; second++) {
      const outcome = ingest.ingest(traces(batch(10, 300, clock.now() - 120_000 - 50, 2000)));
      expect(outcome).toEqual(FULL_SUCCESS(10, 10));
      clock.advance(1000);
    }
    expect(ingest.clocks.skews.list(clock.now())).toEqual([
      { service: 'checkout', namespace: 'shop', skewMs: 120_050 },
    ]);
    const [verdict] = agent.tick().verdicts;
    expect(verdict).toEqual({
      series: { namespace: 'shop', service: 'checkout', operation: 'quote', context: 'emergency', phase: '' },
      status: 'violated',
      percentile: 'p95',
      observedMs: verdict!.observedMs,
      budgetMs: 50,
      baseBudgetMs: 50,
      ratio: verdict!.observedMs / 50,
      samples: 50,
      at: clock.now(),
    });
    expect(verdict!.observedMs).toBeCloseTo(300, -1);
    expect(agent.health()).toMatchObject({ samplesDroppedLate: 0 });
  });

  it('should not re-time spans within the normal batching delay', () => {
    const { agent, clock, ingest } = setup();
    // A BatchSpanProcessor exporting every 5 s: the freshest span waited 0.3 s, the oldest 5.3 s.
    const now = clock.now();
    expect(ingest.ingest(traces(batch(11, 20, now - 300, 5000)))).toEqual(FULL_SUCCESS(11));
    expect(ingest.clocks.skews.list(now)).toEqual([{ service: 'checkout', namespace: 'shop', skewMs: 300 }]);
    const window = agent.registry.list()[0]!.window;
    // Each span stays in the slot of its own end time: 2 per slot over the 6 slots before now.
    expect(window.lastRecordMs).toBe(now - 300);
    const slots = [0, 1000, 2000, 3000, 4000, 5000, 6000].map(
      (ago) => window.snapshot(now - ago, 1000).count,
    );
    expect(slots).toEqual([0, 2, 2, 2, 2, 2, 1]);
  });

  it('should count spans behind the window as late when the sender clock is fine (a delayed export)', () => {
    const { agent, clock, ingest } = setup();
    ingest.ingest(traces(batch(5, 20, clock.now() - 200)));
    clock.advance(1000);
    // An export retried for two minutes: acknowledged, then dropped as late, counted.
    expect(ingest.ingest(traces(batch(7, 20, clock.now() - 120_000)))).toEqual(FULL_SUCCESS(7));
    expect(agent.health()).toMatchObject({ samplesDroppedLate: 7 });
    expect(agent.registry.list()[0]!.window.snapshot(clock.now()).count).toBe(5);
  });

  it('should re-time a consistently ahead clock to arrival and still refuse a stray far-future span', () => {
    const { agent, clock, ingest } = setup();
    const now = clock.now();
    const ahead = batch(10, 20, now + 120_000, 3000);
    expect(ingest.ingest(traces(ahead))).toEqual(FULL_SUCCESS(10, 10));
    expect(ingest.clocks.skews.list(now)).toEqual([
      { service: 'checkout', namespace: 'shop', skewMs: -117_000 },
    ]);
    // Moved back by 117 s: the oldest span lands at its arrival, the others on the present.
    const window = agent.registry.list()[0]!.window;
    expect([window.lastRecordMs, window.snapshot(now, 1000).count]).toEqual([now, 10]);
    // From an honest clock, one span ending 10 min ahead is refused, the rest stays where it is.
    const honest = setup();
    const t = honest.clock.now();
    expect(honest.ingest.ingest(traces([...batch(4, 20, t - 100), span(t + 600_000, 20)]))).toEqual({
      accepted: 4,
      rejected: 1,
      rejectedBy: rejectedBy({ future: 1 }),
      retimed: 0,
      message:
        "rejected 1 of 5 spans: 1 with end time one window (60s) or more ahead of the collector's clock",
    });
  });

  it('should not re-time beyond receiver.maxClockSkew, nor at all when it is 0s', () => {
    for (const [maxClockSkew, behindMs] of [
      ['0s', 120_000],
      ['1h', 3_600_001],
    ] as const) {
      const { agent, clock, ingest } = setup({ receiver: { maxClockSkew } });
      expect(ingest.ingest(traces(batch(3, 20, clock.now() - behindMs)))).toEqual(FULL_SUCCESS(3));
      expect([ingest.clocks.skews.list(clock.now()), agent.health().samplesDroppedLate]).toEqual([[], 3]);
    }
  });
});
