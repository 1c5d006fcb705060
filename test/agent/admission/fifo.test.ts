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
 * The probe cycles of the FIFO runs from second `first`: the first eases two steps before the
 * backlog shows (easing is not backed off yet) and both are stepped back; backed off, each later
 * one eases one watched step and steps it back as the backlog grows (review ease4 L1).
 */
function probeCycles(first: number, later: readonly number[]) {
  return [
    [first, 'SHEDDABLE', 1, 0.9, 'recovery'],
    [first + 1, 'SHEDDABLE', 0.9, 0.8, 'recovery'],
    [first + 2, 'SHEDDABLE', 0.8, 0.9, 'probe'],
    [first + 3, 'SHEDDABLE', 0.9, 1, 'probe'],
    ...later.flatMap((s) => [
      [s, 'SHEDDABLE', 1, 0.9, 'recovery'],
      [s + 2, 'SHEDDABLE', 0.9, 1, 'probe'],
    ]),
  ];
}

describe('AdmissionController in front of a FIFO queue (a backlog carries over: review15b N1, N2)', () => {
  it.each([
    [30, [84, 110, 156, 242, 329], '99 admitted, 87 finished', '81 admitted, 90 finished in 3s; 370 waiting'],
    [
      100,
      [85, 111, 157, 243, 329],
      '333 admitted, 290 finished',
      '270 admitted, 300 finished in 3s; 1226 waiting',
    ],
  ])(
    'should shed SHEDDABLE, then CRITICAL while the backlog drains too slowly, under steady 3x load of a %i req/s service, with no limit cycle',
    (capacity, probes, flow, backlog) => {
      // Budget 2 s (a request served at once is 0.5x), from a cold start: the flow has never been
      // steady, so the law cannot tell a backlog from a route never judged and goes by the latency:
      // SHEDDABLE rises to 100 % in 10 ticks. Once the flow has been steady (review15c H1), the
      // backlog built meanwhile shows: it drains at a tenth of capacity, far slower than within
      // `recovery.sustain`, so CRITICAL goes to what drains it (its cap) at once, and the backlog is
      // gone at second 51 (was 158-159 with SHEDDABLE alone, CRITICAL's requests waiting over their
      // budget all along). Recovery then releases CRITICAL, and each easing of SHEDDABLE after
      // that is watched: the backlog grows again at once (90 % is too little shedding), so it is
      // stepped back and the next easing waits twice as long (10, 20, 40, 80 s), one watched step
      // at a time: 4 decisions for the first probe, 2 for each later one.
      const { harness, decisions, drained, goodputAfter } = steady(capacity, 2, 400);
      expect(harness.brief(decisions)).toEqual([
        ...Array.from({ length: 10 }, (_, i) => [i + 3, 'SHEDDABLE', i / 10, (i + 1) / 10, 'overload']),
        [15, 'SHEDDABLE_PLUS', 0, 0.9, 'overload'],
        [15, 'CRITICAL', 0, 0.5, 'overload'],
        ...[0.5, 0.4, 0.3, 0.2].map((p, i) => [
          59 + i,
          'CRITICAL',
          p,
          Math.round((p - 0.1) * 10) / 10,
          'recovery',
        ]),
        [63, 'SHEDDABLE_PLUS', 0.9, 0, 'recovery'],
        [63, 'CRITICAL', 0.1, 0, 'recovery'],
        ...probeCycles(64, probes),
      ]);
      expect(drained).toBe(51);
      // Since the drain: CRITICAL_PLUS all within budget, CRITICAL all but what its release sheds.
      expect(goodputAfter('CRITICAL_PLUS')).toBe(1);
      expect(goodputAfter('CRITICAL')).toBeCloseTo(0.986, 3);
      expect(decisions[11]?.message).toBe(
        `CRITICAL rejection 0% -> 50%: ${capacity === 30 ? 'CRITICAL p95 is 5.5x its budget (target 1x, 21 samples in 3s)' : 'CRITICAL_PLUS p95 is 5.5x its budget (target 1x, 36 samples in 3s)'}; the backlog drains too slowly (${backlog})`,
      );
      expect(decisions[20]?.message).toBe(
        `SHEDDABLE rejection 80% -> 90%: easing hurt, the backlog grows (${flow} in 3s); back to pressure 1, easing waits 10s (30s in the band)`,
      );
      expect(decisions[20]).not.toHaveProperty('evidence');
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
    // the backlog (was: never, and 9 of 3,240 protected requests within budget over the 2
    // minutes; now 1,810), then probes release it step by step.
    expect(harness.brief(decisions)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => [i + 2, 'SHEDDABLE', i / 10, (i + 1) / 10, 'overload']),
      [14, 'SHEDDABLE_PLUS', 0, 0.9, 'overload'],
      [14, 'CRITICAL', 0, 0.5, 'overload'],
      ...[0.5, 0.4, 0.3, 0.2].map((p, i) => [
        63 + 4 * i,
        'CRITICAL',
        p,
        Math.round((p - 0.1) * 10) / 10,
        'probe',
      ]),
      [79, 'SHEDDABLE_PLUS', 0.9, 0, 'probe'],
      [79, 'CRITICAL', 0.1, 0, 'probe'],
      [83, 'SHEDDABLE', 1, 0.9, 'probe'],
      [85, 'SHEDDABLE', 0.9, 1, 'probe'],
      [119, 'SHEDDABLE', 1, 0.9, 'probe'],
    ]);
    const { CRITICAL_PLUS: plus, CRITICAL: critical } = plant.tally;
    expect(plus.withinBudget + critical.withinBudget).toBe(1810);
    expect(decisions.map((d) => d.message.split(': ')[1])).toEqual([
      'SHEDDABLE p95 is 1.99x its budget (target 1x, 42 samples in 3s)',
      'CRITICAL_PLUS+CRITICAL p95 is 2.97x its budget (target 1x, 27 samples in 3s',
      ...Array.from({ length: 8 }, () => expect.stringMatching(/^CRITICAL(_PLUS\+CRITICAL)? p95 is /)),
      ...Array.from({ length: 11 }, () => expect.any(String)),
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
