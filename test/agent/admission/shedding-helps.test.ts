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

  it('should let the shed class judge itself when the more important traffic is under minSamples, and stop when that does not help', () => {
    // CRITICAL has 15 samples in the window (under minSamples 20): too few to judge, so SHEDDABLE
    // (2x, 90 samples) judges itself (review15b N1/N3: a small important class must not disable
    // shedding). Shedding SHEDDABLE does not make SHEDDABLE faster: the ramp stalls after a step
    // delay and, no better after sustain, eases (review15 F1 ends the same: nothing shed).
    const harness = setup();
    const decisions: AdmissionDecision[] = [];
    for (let s = 0; s < 60; s++) {
      harness.feed({ CRITICAL: 0.3 }, 5); // 15 in the window, under minSamples 20
      harness.feed({ SHEDDABLE: 2 }, 30);
      decisions.push(...harness.tick());
    }
    expect(harness.brief(decisions)).toEqual([
      ...[1, 2, 3, 4, 5].map((s) => [s, 'SHEDDABLE', (s - 1) / 10, s / 10, 'overload']),
      ...[11, 12, 13, 14, 15].map((s) => [s, 'SHEDDABLE', (16 - s) / 10, (15 - s) / 10, 'ineffective']),
    ]);
    expect(decisions[0]?.message).toBe(
      'SHEDDABLE rejection 0% -> 10%: SHEDDABLE p95 is 2x its budget (target 1x, 30 samples in 3s)',
    );
  });

  it('should let a class steer on itself only when no more important class has traffic', () => {
    // All traffic CRITICAL and over budget: the empty SHEDDABLE and SHEDDABLE_PLUS are skipped on
    // the way up (taken to their caps at once, so the order holds), and CRITICAL (capped under 1)
    // sheds once the overload has lasted a step delay (window + tick = 4 s: review15b N2).
    const harness = setup();
    expect(harness.ticks(4, { CRITICAL: 2 })).toEqual([]);
    expect(harness.brief(harness.tick({ CRITICAL: 2 }))).toEqual([
      [5, 'SHEDDABLE', 0, 1, 'overload'],
      [5, 'SHEDDABLE_PLUS', 0, 0.9, 'overload'],
      [5, 'CRITICAL', 0, 0.1, 'overload'],
    ]);
  });

  it('should judge by the more important classes pooled when none has minSamples alone', () => {
    // 9 CRITICAL_PLUS and 18 CRITICAL samples in the window (3 and 6 a second): neither has 20,
    // together they have 27 (review15b N1): their pooled p95 judges shedding SHEDDABLE.
    const { tick, feed } = setup();
    feed({ SHEDDABLE: 3 }, 60);
    feed({ CRITICAL_PLUS: 4 }, 9);
    feed({ CRITICAL: 2 }, 18);
    expect(tick()).toEqual([
      expect.objectContaining({
        criticality: 'SHEDDABLE',
        to: 0.1,
        reason: 'overload',
        message:
          'SHEDDABLE rejection 0% -> 10%: CRITICAL_PLUS+CRITICAL p95 is 4x its budget (target 1x, 27 samples in 3s: CRITICAL_PLUS 9, CRITICAL 18)',
        evidence: {
          criticality: 'CRITICAL_PLUS',
          percentile: 'p95',
          ratio: 4,
          thresholdRatio: 1,
          samples: 27,
          pooled: { CRITICAL_PLUS: 9, CRITICAL: 18 },
        },
      }),
    ]);
  });
});

describe('AdmissionController stops shedding that does not help (review15 F8)', () => {
  it('should end with nothing shed when CRITICAL_PLUS is 1.05x its budget for reasons shedding cannot fix', () => {
    const harness = setup();
    for (let s = 0; s < 600; s++) harness.tick({ CRITICAL_PLUS: 1.05, CRITICAL: 0.4, SHEDDABLE: 0.4 });
    expect(probabilities(harness)).toEqual(NOTHING_SHED);
    // Four rises, one more while the smoothed ratio has not yet stalled for a step delay (the
    // ramp judges the ratio averaged over window + tick: review15b N12), then ineffective.
    expect(harness.brief(harness.controller.auditLog.entries())).toEqual([
      [1, 'SHEDDABLE', 0, 0.01, 'overload'],
      [2, 'SHEDDABLE', 0.01, 0.02, 'overload'],
      [3, 'SHEDDABLE', 0.02, 0.03, 'overload'],
      [4, 'SHEDDABLE', 0.03, 0.04, 'overload'],
      [5, 'SHEDDABLE', 0.04, 0.05, 'overload'],
      [11, 'SHEDDABLE', 0.05, 0, 'ineffective'],
    ]);
    expect(harness.controller.auditLog.entries().at(-1)?.message).toBe(
      'SHEDDABLE rejection 5% -> 0%: shedding did not help, CRITICAL_PLUS p95 is still 1.05x its budget, not under 1x, 5s after rising stopped (60 samples in 3s)',
    );
  });

  it('should end with nothing shed under a GC-like spike one second in four', () => {
    const harness = setup();
    const decisions: AdmissionDecision[] = [];
    for (let s = 1; s <= 600; s++)
      decisions.push(...harness.tick({ CRITICAL_PLUS: s % 4 === 0 ? 1.5 : 0.5, CRITICAL: 0.4 }));
    // With no less important traffic, the first rise would shed CRITICAL (capped under 1): it
    // waits for an overload that lasts a step delay, and a spike lasts 3 s: nothing is ever shed.
    expect(probabilities(harness)).toEqual(NOTHING_SHED);
    expect(decisions).toEqual([]);
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
    // The hold in the band (0.81x) probes after 3 x sustain: one step down brings 1.23x for a
    // tick, stepped back at once, and each failed probe doubles the wait (15, 30, 60, 120, 240 s:
    // review15b N13), so the probes cost 10 decisions and 5 ticks over budget in 10 minutes.
    expect(probabilities(harness)).toEqual({ ...NOTHING_SHED, SHEDDABLE: 1 });
    const over = ratios.flatMap((ratio, i) => (ratio > 1 && i >= 10 ? [i + 1] : []));
    expect(over).toEqual([28, 61, 124, 247, 490]);
    expect(harness.brief(decisions)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => [i + 1, 'SHEDDABLE', i / 10, (i + 1) / 10, 'overload']),
      ...[27, 60, 123, 246, 489].flatMap((s) => [
        [s, 'SHEDDABLE', 1, 0.9, 'probe'],
        [s + 1, 'SHEDDABLE', 0.9, 1, 'probe'],
      ]),
    ]);
    expect(decisions[11]?.message).toBe(
      'SHEDDABLE rejection 90% -> 100%: easing hurt, CRITICAL_PLUS p95 rose to 1.23x its budget, over 0.85x (60 samples in 3s); back to pressure 1, easing waits 10s (30s in the band)',
    );
  });
});
