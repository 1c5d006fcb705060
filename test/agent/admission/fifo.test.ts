import { describe, expect, it } from 'vitest';
import type { AdmissionDecision } from '../../../agent/admission/types.ts';
import { evenly, fifoPlant, type Offered, setup, type Tally } from './setup.ts';

/** 3x a service's capacity: 10 % CRITICAL_PLUS, 20 % CRITICAL, 70 % SHEDDABLE. */
function threeTimes(capacity: number): Offered {
  return { CRITICAL_PLUS: 0.3 * capacity, CRITICAL: 0.6 * capacity, SHEDDABLE: 2.1 * capacity };
}

/** `ticks` seconds of steady 3x load on a FIFO service completing `capacity` a second. */
function steady(capacity: number, budgetTicks: number, ticks: number) {
  const harness = setup({}, evenly());
  const plant = fifoPlant(harness, capacity, budgetTicks);
  const decisions: AdmissionDecision[] = [];
  let drained = 0;
  let atDrain: Tally | undefined;
  for (let s = 1; s <= ticks; s++) {
    plant.step(threeTimes(capacity));
    decisions.push(...harness.controller.observe('NONE'));
    if (atDrain === undefined && s > 20 && plant.backlog() === 0) {
      drained = s;
      atDrain = structuredClone(plant.tally);
    }
  }
  /** Requests completed within budget / offered, per class, since the onset's backlog drained. */
  const goodputAfter = (criticality: 'CRITICAL' | 'CRITICAL_PLUS') => {
    const now = plant.tally[criticality];
    const then = atDrain?.[criticality] ?? { offered: 0, withinBudget: 0 };
    return (now.withinBudget - then.withinBudget) / (now.offered - then.offered);
  };
  return { harness, decisions, drained, goodputAfter };
}

/**
 * The probe cycles of the FIFO runs: each eases SHEDDABLE one step and steps it back as the
 * backlog grows (the step back one or two ticks later), the next easing waiting twice as long.
 */
function probeCycles(cycles: readonly (readonly [number, number])[]) {
  return cycles.flatMap(([down, back]) => [
    [down, 'SHEDDABLE', 0.977, 0.877, 'recovery'],
    [back, 'SHEDDABLE', 0.877, 0.977, 'probe'],
  ]);
}

describe('AdmissionController in front of a FIFO queue (a backlog carries over: review15b N1, N2)', () => {
  it.each([
    [
      30,
      [
        [60, 61],
        [75, 76],
        [100, 101],
        [146, 147],
        [231, 233],
        [320, 321],
      ],
      '92 admitted, 87 finished',
      '81 admitted, 90 finished in 3s; 370 waiting',
      '54 admitted, 54 finished',
    ],
    [
      100,
      [
        [60, 61],
        [76, 77],
        [102, 103],
        [148, 149],
        [234, 235],
        [320, 321],
      ],
      '306 admitted, 290 finished',
      '270 admitted, 300 finished in 3s; 1226 waiting',
      '183 admitted, 183 finished',
    ],
  ] as const)(
    'should shed SHEDDABLE, then CRITICAL while the backlog drains too slowly, under steady 3x load of a %i req/s service, with no limit cycle',
    (capacity, cycles, flow, backlog, steadyFlow) => {
      // Budget 2 s (a request served at once is 0.5x), from a cold start: the flow has never been
      // steady, so the law cannot tell a backlog from a route never judged and goes by the latency:
      // SHEDDABLE rises to 100 % in 10 ticks. Once the flow has been steady (review15c H1), the
      // backlog built meanwhile shows: it drains at a tenth of capacity, far slower than within
      // `recovery.sustain`, so CRITICAL goes to what drains it (its cap) at once, and the backlog is
      // gone at second 51 (was 158-159 with SHEDDABLE alone, CRITICAL's requests waiting over their
      // budget all along). Once a window is steady (second 54) the drain's share goes in one tick
      // (`drained`: before, CRITICAL was released step by step from second 59 to 63), down to what
      // keeps the admissions under the most the service finished while busy (SHEDDABLE 97.7 %).
      // Each easing of SHEDDABLE after that is watched: the backlog grows again at once, so it is
      // stepped back and the next easing waits twice as long (10, 20, 40, 80 s).
      const { harness, decisions, drained, goodputAfter } = steady(capacity, 2, 400);
      expect(harness.brief(decisions)).toEqual([
        ...Array.from({ length: 10 }, (_, i) => [i + 3, 'SHEDDABLE', i / 10, (i + 1) / 10, 'overload']),
        [15, 'SHEDDABLE_PLUS', 0, 0.9, 'overload'],
        [15, 'CRITICAL', 0, 0.5, 'overload'],
        [54, 'SHEDDABLE', 1, 0.977, 'drained'],
        [54, 'SHEDDABLE_PLUS', 0.9, 0, 'drained'],
        [54, 'CRITICAL', 0.5, 0, 'drained'],
        ...probeCycles(cycles),
      ]);
      expect(drained).toBe(51);
      // Since the drain: CRITICAL_PLUS all within budget, CRITICAL all but what the last three
      // seconds of its drain share shed (was 98.6 %, released step by step).
      expect(goodputAfter('CRITICAL_PLUS')).toBe(1);
      expect(goodputAfter('CRITICAL')).toBeCloseTo(0.996, 3);
      expect(decisions[11]?.message).toBe(
        `CRITICAL rejection 0% -> 50%: ${capacity === 30 ? 'CRITICAL p95 is 5.5x its budget (target 1x, 21 samples in 3s)' : 'CRITICAL_PLUS p95 is 5.5x its budget (target 1x, 36 samples in 3s)'}; the backlog drains too slowly (${backlog})`,
      );
      expect(decisions[14]?.message).toBe(
        `CRITICAL rejection 50% -> 0%: the backlog drained (${steadyFlow} in 3s; 0 waiting): the share shed to drain it is released, down to pressure 0.977`,
      );
      expect(decisions[14]?.reason).toBe('drained');
      // The flow that drove the release and the step back is their evidence (review15g M3).
      const counts = (text: string) => text.match(/\d+/g)?.slice(0, 2).map(Number);
      const [admitted, finished] = counts(steadyFlow) ?? [];
      expect(decisions[14]?.evidence).toEqual({
        flow: { admitted, finished, waiting: 0, windowMs: 3000, reading: 'over-rate' },
      });
      expect(decisions[16]?.message).toBe(
        `SHEDDABLE rejection 87.7% -> 97.7%: easing hurt, the backlog grows (${flow} in 3s); back to pressure 0.977, easing waits 10s (30s in the band)`,
      );
      // The backlog was gone before the step that hurt: what waits is the window's surplus.
      const [grown = 0, done = 0] = counts(flow) ?? [];
      expect(decisions[16]?.evidence).toEqual({
        flow: {
          admitted: grown,
          finished: done,
          waiting: grown - done,
          windowMs: 3000,
          reading: 'over-rate',
        },
      });
    },
  );

  it('should judge by the protected classes pooled on a 30 req/s service, and never ease mid-overload for want of samples', () => {
    // 30 req/s, 3x offered, budget 1 s: CRITICAL_PLUS completes 3 and CRITICAL 6 a second, each
    // under minSamples (20) in the 3 s window: their pool (27) judges. The first tick's window has
    // only 2 s of them (18): SHEDDABLE's own signal judges it (too few samples is not health).
    // Once CRITICAL alone has 20 (the queue's waiting time stretching completions), it judges.
    // Before (review15b Q1/Q4): S 0.3 at most, then eased to 0 "for want of samples", queue 12000.
    const harness = setup({}, evenly());
    const plant = fifoPlant(harness, 30, 1);
    const decisions: AdmissionDecision[] = [];
    for (let s = 0; s < 120; s++) {
      plant.step(threeTimes(30));
      decisions.push(...harness.controller.observe('NONE'));
    }
    // Once the flow has been steady (review15c H1), CRITICAL goes to its cap at second 14 to drain
    // the backlog, released in one tick once the backlog is gone and a window steady (second 48),
    // then probes of SHEDDABLE (was: never, and 9 of 3,240 protected requests within budget over
    // the 2 minutes; 1,810 with CRITICAL released step by step from second 63 to 79; now 2,009).
    expect(harness.brief(decisions)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => [i + 2, 'SHEDDABLE', i / 10, (i + 1) / 10, 'overload']),
      [14, 'SHEDDABLE_PLUS', 0, 0.9, 'overload'],
      [14, 'CRITICAL', 0, 0.5, 'overload'],
      [48, 'SHEDDABLE', 1, 0.977, 'drained'],
      [48, 'SHEDDABLE_PLUS', 0.9, 0, 'drained'],
      [48, 'CRITICAL', 0.5, 0, 'drained'],
      [64, 'SHEDDABLE', 0.977, 0.877, 'probe'],
      [65, 'SHEDDABLE', 0.877, 0.997, 'probe'],
      [96, 'SHEDDABLE', 0.997, 0.897, 'probe'],
      [98, 'SHEDDABLE', 0.897, 0.997, 'probe'],
    ]);
    const { CRITICAL_PLUS: plus, CRITICAL: critical } = plant.tally;
    expect(plus.withinBudget + critical.withinBudget).toBe(2009);
    expect(decisions.map((d) => d.message.split(': ')[1])).toEqual([
      'SHEDDABLE p95 is 1.99x its budget (target 1x, 42 samples in 3s)',
      'CRITICAL_PLUS+CRITICAL p95 is 2.97x its budget (target 1x, 27 samples in 3s',
      ...Array.from({ length: 8 }, () => expect.stringMatching(/^CRITICAL(_PLUS\+CRITICAL)? p95 is /)),
      ...Array.from({ length: 9 }, () => expect.any(String)),
    ]);
    expect(decisions[1]?.evidence).toEqual({
      criticality: 'CRITICAL_PLUS',
      percentile: 'p95',
      ratio: 2.974233,
      thresholdRatio: 1,
      samples: 27,
      pooled: { CRITICAL_PLUS: 9, CRITICAL: 18 },
    });
  });
});
