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
    [30, 159, 166, [187, 214, 260, 346], '100 admitted, 87 finished'],
    [100, 158, 165, [186, 212, 259, 346], '333 admitted, 290 finished'],
  ])(
    'should shed SHEDDABLE only, never CRITICAL, under steady 3x load of a %i req/s service, with no limit cycle',
    (capacity, drainedAt, first, probes, flow) => {
      // Budget 2 s (a request served at once is 0.5x). SHEDDABLE rises to 100 % in 10 ticks; the
      // backlog built meanwhile keeps the latency at completion rising for a whole waiting time
      // after it began to shrink, but fewer requests are admitted than finish (Little's law), so
      // the law does not escalate into CRITICAL: the backlog drains (second 158-159) with
      // SHEDDABLE alone. Each easing after that is watched: the backlog grows again at once (90 %
      // is too little shedding), so it is stepped back and the next easing waits twice as long
      // (10, 20, 40, 80 s), one watched step at a time: 4 decisions for the first probe, 2 for
      // each later one (was 4 each: review ease4 L1), 5 probes in 400 s, CRITICAL never touched.
      const { harness, decisions, drained, goodputAfter } = steady(capacity, 2, 400);
      expect(harness.brief(decisions)).toEqual([
        ...Array.from({ length: 10 }, (_, i) => [i + 3, 'SHEDDABLE', i / 10, (i + 1) / 10, 'overload']),
        ...probeCycles(first, probes),
      ]);
      expect(drained).toBe(drainedAt);
      expect([goodputAfter('CRITICAL_PLUS'), goodputAfter('CRITICAL')]).toEqual([1, 1]);
      expect(decisions[12]?.message).toBe(
        `SHEDDABLE rejection 80% -> 90%: easing hurt, the backlog grows (${flow} in 3s); back to pressure 1, easing waits 10s (30s in the band)`,
      );
      expect(decisions[12]).not.toHaveProperty('evidence');
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
    expect(harness.brief(decisions)).toEqual(
      Array.from({ length: 10 }, (_, i) => [i + 2, 'SHEDDABLE', i / 10, (i + 1) / 10, 'overload']),
    );
    expect(decisions.map((d) => d.message.split(': ')[1])).toEqual([
      'SHEDDABLE p95 is 1.99x its budget (target 1x, 42 samples in 3s)',
      'CRITICAL_PLUS+CRITICAL p95 is 2.97x its budget (target 1x, 27 samples in 3s',
      ...Array.from({ length: 8 }, () => expect.stringMatching(/^CRITICAL(_PLUS\+CRITICAL)? p95 is /)),
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
