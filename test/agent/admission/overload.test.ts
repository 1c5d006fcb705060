import { describe, expect, it } from 'vitest';
import type { Criticality } from '../../../agent/admission/criticality.ts';
import type { AdmissionDecision } from '../../../agent/admission/types.ts';
import { setup } from './setup.ts';

/** The whole decision a full overload step of CRITICAL at 2x its budget takes. */
function overload(
  startMs: number,
  [seq, second, criticality, from, to, samples]: [number, number, Criticality, number, number, number],
): AdmissionDecision {
  const pct = (p: number) => `${Math.round(p * 100)}%`;
  return {
    seq,
    at: startMs + second * 1000,
    namespace: '',
    service: 'checkout',
    criticality,
    from,
    to,
    reason: 'overload',
    message: `${criticality} rejection ${pct(from)} -> ${pct(to)}: CRITICAL p95 is 2x its budget (target 1x, ${samples} samples in 3s)`,
    evidence: { criticality: 'CRITICAL', percentile: 'p95', ratio: 2, thresholdRatio: 1, samples },
    level: 'NONE',
  };
}

describe('AdmissionController under a step overload', () => {
  it('should raise shedding by bounded steps, lowest class first, up to every cap, then hold', () => {
    // CRITICAL at 2x its budget from the first second: 30 samples a second, 60 in the 3 s window
    // from the second tick on. Each tick adds the whole maxStep (10 %): SHEDDABLE fills to 100 % in
    // 10 ticks, SHEDDABLE_PLUS to its 90 % cap in 9 more, CRITICAL to its 50 % cap in 5 more.
    // Once CRITICAL is shed itself no class is protected; CRITICAL still steers as the most
    // important class with samples. At every cap the pressure holds: no more decisions.
    const { startMs, ticks } = setup();
    const decisions = ticks(40, { CRITICAL: 2 });
    const expected: [number, number, Criticality, number, number, number][] = [];
    for (let i = 1; i <= 10; i++) expected.push([i, i, 'SHEDDABLE', (i - 1) / 10, i / 10, i === 1 ? 30 : 60]);
    for (let i = 1; i <= 9; i++) expected.push([10 + i, 10 + i, 'SHEDDABLE_PLUS', (i - 1) / 10, i / 10, 60]);
    for (let i = 1; i <= 5; i++) expected.push([19 + i, 19 + i, 'CRITICAL', (i - 1) / 10, i / 10, 60]);
    expect(decisions).toEqual(expected.map((row) => overload(startMs, row)));
  });

  it('should take a step in proportion to a small overshoot', () => {
    // 1.2x the budget: maxStep x (0.2 / 0.5) = 4 % a tick.
    const { controller, tick } = setup();
    expect(tick({ CRITICAL: 1.2 })).toEqual([
      expect.objectContaining({
        criticality: 'SHEDDABLE',
        from: 0,
        to: 0.04,
        message:
          'SHEDDABLE rejection 0% -> 4%: CRITICAL p95 is 1.2x its budget (target 1x, 30 samples in 3s)',
      }),
    ]);
    expect(tick({ CRITICAL: 1.2 }).map((d) => [d.from, d.to])).toEqual([[0.04, 0.08]]);
    expect(controller.probability('SHEDDABLE')).toBe(0.08);
    expect(controller.pressure).toBe(0.08);
  });

  it('should hold while the worst protected class sits between the exit ratio and the target', () => {
    // Exactly at the target (1x) and at the exit ratio (0.75x) nothing moves: rising needs more
    // than the target, easing less than the exit ratio.
    // The first two ticks at 1x still see 2x samples in the 3 s window: one more step.
    const { controller, ticks } = setup();
    expect(ticks(3, { CRITICAL: 2 })).toHaveLength(3);
    expect(ticks(2, { CRITICAL: 1 }).map((d) => d.to)).toEqual([0.4]);
    expect(ticks(30, { CRITICAL: 1 })).toEqual([]);
    expect(ticks(30, { CRITICAL: 0.75 })).toEqual([]);
    expect(controller.pressure).toBe(0.4);
  });

  it('should steer on the worst protected class, not on a class it sheds', () => {
    // Before anything is shed every class is protected: SHEDDABLE at 5x drives the first step.
    // From then on SHEDDABLE is shed and no longer drives; CRITICAL_PLUS at 1.6x does.
    const { ticks } = setup();
    const decisions = ticks(2, { SHEDDABLE: 5, CRITICAL: 0.5, CRITICAL_PLUS: 1.6 });
    expect(decisions.map((d) => [d.criticality, d.to, d.evidence?.criticality, d.evidence?.ratio])).toEqual([
      ['SHEDDABLE', 0.1, 'SHEDDABLE', 5],
      ['SHEDDABLE', 0.2, 'CRITICAL_PLUS', 1.6],
    ]);
  });
});
