import { describe, expect, it } from 'vitest';
import type { Criticality } from '../../../agent/admission/criticality.ts';
import type { AdmissionDecision } from '../../../agent/admission/types.ts';
import { setup } from './setup.ts';

/** The whole decision a full overload step judged by CRITICAL at `ratio` takes. */
function overload(
  startMs: number,
  [seq, second, criticality, from, to, ratio, samples]: [
    number,
    number,
    Criticality,
    number,
    number,
    number,
    number,
  ],
): AdmissionDecision {
  const pct = (p: number) => `${Math.round(p * 100)}%`;
  const x = Math.round(ratio * 100) / 100;
  return {
    seq,
    at: startMs + second * 1000,
    namespace: '',
    service: 'checkout',
    criticality,
    from,
    to,
    reason: 'overload',
    message: `${criticality} rejection ${pct(from)} -> ${pct(to)}: CRITICAL p95 is ${x}x its budget (target 1x, ${samples} samples in 3s)`,
    evidence: { criticality: 'CRITICAL', percentile: 'p95', ratio, thresholdRatio: 1, samples },
    level: 'NONE',
  };
}

describe('AdmissionController under a step overload', () => {
  it('should raise shedding by bounded steps, lowest class first, up to every cap, then hold', () => {
    // A queueing service at 4x its capacity from the first second (100 requests a tick is
    // capacity, ratio (admitted / 100)^2): 200 CRITICAL, 100 SHEDDABLE_PLUS, 100 SHEDDABLE a tick.
    // Every step lowers CRITICAL's ratio, so shedding keeps rising by the whole maxStep (10 %,
    // the ratio being over 1.5x): SHEDDABLE to 100 % in 10 ticks; SHEDDABLE_PLUS (capped under 1)
    // waits until the ratio has stayed over the target for a step delay (window + tick = 4 s)
    // without falling (review15b N2: the window shows the last SHEDDABLE steps until second 14,
    // so from second 15 to 18), then fills to its 90 % cap; CRITICAL waits the same (seconds
    // 28-35), then reaches its 50 % cap. Every class at its cap still leaves 110 requests
    // (1.21x): the pressure holds there, no more decisions for the last 20 s.
    const { startMs, run } = setup();
    const decisions = run(60, { CRITICAL: 200, SHEDDABLE_PLUS: 100, SHEDDABLE: 100 });
    const ratios = [
      16, 15.95931, 15.21, 14.44, 13.599554, 12.96, 12.25, 11.56, 10.89, 10.24, 9, 8.935419, 8.41, 7.768044,
      7.29, 6.753181, 6.233955, 5.754651, 5.29, 4.41, 4.41, 3.61, 2.89, 2.247856,
    ];
    const samples = [200, ...Array.from({ length: 19 }, () => 400), 380, 340, 300, 260];
    const rows: [Criticality, number][] = [];
    for (let i = 1; i <= 10; i++) rows.push(['SHEDDABLE', i]);
    for (let i = 1; i <= 9; i++) rows.push(['SHEDDABLE_PLUS', 18 + i]);
    for (let i = 1; i <= 5; i++) rows.push(['CRITICAL', 35 + i]);
    const steps = { SHEDDABLE: 0, SHEDDABLE_PLUS: 0, CRITICAL: 0, CRITICAL_PLUS: 0 };
    const expected = rows.map(([criticality, second], i): AdmissionDecision => {
      const from = steps[criticality] / 10;
      steps[criticality]++;
      const row = [i + 1, second, criticality, from, steps[criticality] / 10, ratios[i], samples[i]] as const;
      return overload(startMs, [...row]);
    });
    expect(decisions).toEqual(expected);
  });

  it('should take a step in proportion to a small overshoot', () => {
    // 1.2x the budget: maxStep x (0.2 / 0.5) = 4 % a tick.
    const { controller, tick } = setup();
    expect(tick({ CRITICAL: 1.2, SHEDDABLE: 0.5 })).toEqual([
      expect.objectContaining({
        criticality: 'SHEDDABLE',
        from: 0,
        to: 0.04,
        message:
          'SHEDDABLE rejection 0% -> 4%: CRITICAL p95 is 1.2x its budget (target 1x, 30 samples in 3s)',
      }),
    ]);
    expect(tick({ CRITICAL: 1.2, SHEDDABLE: 0.5 }).map((d) => [d.from, d.to])).toEqual([[0.04, 0.08]]);
    expect(controller.probability('SHEDDABLE')).toBe(0.08);
    expect(controller.pressure).toBe(0.08);
  });

  it('should hold while the worst protected class sits between the exit ratio and the target, then probe', () => {
    // Exactly at the target (1x) nothing rises; in the band (0.75x..1x) the pressure holds for
    // three easing waits (3 x sustain = 15 s), then probes one step down every step delay (4 s)
    // while the ratio does not rise (review15b N13: CRITICAL sits at 1x whatever is shed, so the
    // shedding is not what holds it there).
    // The first two ticks at 1x still see 2x samples in the 3 s window: one more step.
    const { startMs, controller, ticks, brief } = setup();
    expect(ticks(3, { CRITICAL: 2, SHEDDABLE: 0.5 })).toHaveLength(3);
    expect(ticks(2, { CRITICAL: 1, SHEDDABLE: 0.5 }).map((d) => d.to)).toEqual([0.4]);
    const probes = ticks(30, { CRITICAL: 1, SHEDDABLE: 0.5 });
    expect(brief(probes)).toEqual([
      [20, 'SHEDDABLE', 0.4, 0.3, 'probe'],
      [24, 'SHEDDABLE', 0.3, 0.2, 'probe'],
      [28, 'SHEDDABLE', 0.2, 0.1, 'probe'],
      [32, 'SHEDDABLE', 0.1, 0, 'probe'],
    ]);
    expect(probes[0]).toEqual({
      seq: 5,
      at: startMs + 20_000,
      namespace: '',
      service: 'checkout',
      criticality: 'SHEDDABLE',
      from: 0.4,
      to: 0.3,
      reason: 'probe',
      message:
        'SHEDDABLE rejection 40% -> 30%: probing, CRITICAL p95 has sat between 0.75x and 1x its budget for 15s (now 1x, 60 samples in 3s)',
      evidence: { criticality: 'CRITICAL', percentile: 'p95', ratio: 1, thresholdRatio: 0.75, samples: 60 },
      level: 'NONE',
    });
    expect(ticks(30, { CRITICAL: 0.75, SHEDDABLE: 0.5 })).toEqual([]);
    expect(controller.pressure).toBe(0);
  });

  it('should steer on the worst class more important than the one it sheds, never on the shed class', () => {
    // SHEDDABLE at 5x does not justify shedding SHEDDABLE (review15 F1): CRITICAL_PLUS at 1.6x,
    // the worst class more important than SHEDDABLE, drives every step; CRITICAL at 0.5x does not.
    const { ticks } = setup();
    const decisions = ticks(2, { SHEDDABLE: 5, CRITICAL: 0.5, CRITICAL_PLUS: 1.6 });
    expect(decisions.map((d) => [d.criticality, d.to, d.evidence?.criticality, d.evidence?.ratio])).toEqual([
      ['SHEDDABLE', 0.1, 'CRITICAL_PLUS', 1.6],
      ['SHEDDABLE', 0.2, 'CRITICAL_PLUS', 1.6],
    ]);
  });
});
