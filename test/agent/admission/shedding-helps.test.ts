import { describe, expect, it } from 'vitest';
import type { AdmissionDecision } from '../../../agent/admission/types.ts';
import { queueingPlant, setup } from './setup.ts';

/** The probabilities in force, per class. */
function probabilities(harness: ReturnType<typeof setup>) {
  const { classes } = harness.controller.state();
  return Object.fromEntries(Object.entries(classes).map(([c, state]) => [c, state.probability]));
}

const NOTHING_SHED = { CRITICAL_PLUS: 0, CRITICAL: 0, SHEDDABLE_PLUS: 0, SHEDDABLE: 0 };

describe('AdmissionController sheds only when a more important class needs it (review15 F1)', () => {
  it('should not shed a slow SHEDDABLE endpoint while CRITICAL is healthy', () => {
    const harness = setup();
    const decisions: AdmissionDecision[] = [];
    for (let s = 0; s < 60; s++) {
      harness.feed({ CRITICAL: 0.3 }, 30);
      harness.feed({ SHEDDABLE: 2 }, Math.round(30 * (1 - harness.controller.probability('SHEDDABLE'))));
      decisions.push(...harness.tick());
    }
    expect(decisions).toEqual([]);
  });

  it('should hold when the more important traffic is under minSamples, whatever the shed class does', () => {
    const harness = setup();
    const decisions: AdmissionDecision[] = [];
    for (let s = 0; s < 60; s++) {
      harness.feed({ CRITICAL: 0.3 }, 5); // 15 in the window, under minSamples 20
      harness.feed({ SHEDDABLE: 2 }, 30);
      decisions.push(...harness.tick());
    }
    expect(decisions).toEqual([]);
  });

  it('should let a class steer on itself only when no more important class has traffic', () => {
    // All traffic CRITICAL and over budget: the empty SHEDDABLE and SHEDDABLE_PLUS are skipped on
    // the way up (taken to their caps at once, so the order holds), and CRITICAL sheds at once.
    const harness = setup();
    expect(harness.brief(harness.tick({ CRITICAL: 2 }))).toEqual([
      [1, 'SHEDDABLE', 0, 1, 'overload'],
      [1, 'SHEDDABLE_PLUS', 0, 0.9, 'overload'],
      [1, 'CRITICAL', 0, 0.1, 'overload'],
    ]);
  });
});

describe('AdmissionController stops shedding that does not help (review15 F8)', () => {
  it('should end with nothing shed when CRITICAL_PLUS is 1.05x its budget for reasons shedding cannot fix', () => {
    const harness = setup();
    for (let s = 0; s < 600; s++) harness.tick({ CRITICAL_PLUS: 1.05, CRITICAL: 0.4, SHEDDABLE: 0.4 });
    expect(probabilities(harness)).toEqual(NOTHING_SHED);
    expect(harness.brief(harness.controller.auditLog.entries())).toEqual([
      [1, 'SHEDDABLE', 0, 0.01, 'overload'],
      [2, 'SHEDDABLE', 0.01, 0.02, 'overload'],
      [3, 'SHEDDABLE', 0.02, 0.03, 'overload'],
      [4, 'SHEDDABLE', 0.03, 0.04, 'overload'],
      [10, 'SHEDDABLE', 0.04, 0, 'ineffective'],
    ]);
    expect(harness.controller.auditLog.entries().at(-1)?.message).toBe(
      'SHEDDABLE rejection 4% -> 0%: shedding did not help, CRITICAL_PLUS p95 is still 1.05x its budget, not under 1x, 5s after rising stopped (60 samples in 3s)',
    );
  });

  it('should end with nothing shed under a GC-like spike one second in four', () => {
    const harness = setup();
    const decisions: AdmissionDecision[] = [];
    for (let s = 1; s <= 600; s++)
      decisions.push(...harness.tick({ CRITICAL_PLUS: s % 4 === 0 ? 1.5 : 0.5, CRITICAL: 0.4 }));
    expect(probabilities(harness)).toEqual(NOTHING_SHED);
    expect(decisions.filter((d) => d.reason === 'overload')).toHaveLength(4);
    expect(decisions.every((d) => d.at < harness.startMs + 60_000)).toBe(true);
  });
});

describe('AdmissionController under 3x overload of a queueing service', () => {
  it('should shed SHEDDABLE until CRITICAL_PLUS and CRITICAL are within budget and fully admitted, then stay', () => {
    // 100 requests a tick is capacity (ratio 1 there); 300 offered: 10 % CRITICAL_PLUS, 20 %
    // CRITICAL, 70 % SHEDDABLE. Shedding all of SHEDDABLE leaves 90 % of capacity: 0.81x.
    const harness = setup();
    const ratios: number[] = [];
    const decisions: AdmissionDecision[] = [];
    for (let s = 0; s < 600; s++) {
      ratios.push(queueingPlant(harness, { CRITICAL_PLUS: 30, CRITICAL: 60, SHEDDABLE: 210 }, 100));
      harness.clock.advance(1000);
      decisions.push(...harness.controller.observe('NONE'));
    }
    expect(probabilities(harness)).toEqual({ ...NOTHING_SHED, SHEDDABLE: 1 });
    expect(ratios.slice(-500).every((ratio) => ratio <= 1)).toBe(true);
    expect(harness.brief(decisions)).toEqual(
      Array.from({ length: 10 }, (_, i) => [i + 1, 'SHEDDABLE', i / 10, (i + 1) / 10, 'overload']),
    );
  });
});
