import { describe, expect, it } from 'vitest';
import type { AdmissionDecision } from '../../../agent/admission/types.ts';
import { setup } from './setup.ts';

const HIGH = 1.3; // 0.3 over the target: 6 % steps
const LOW = 0.6; // under the 0.75x exit ratio

/** 10 minutes of one-second ticks, CRITICAL alternating HIGH / LOW every `halfPeriodS` seconds. */
function alternate(halfPeriodS: number) {
  const { tick, controller } = setup();
  const decisions: AdmissionDecision[] = [];
  for (let s = 0; s < 600; s++)
    decisions.push(...tick({ CRITICAL: Math.floor(s / halfPeriodS) % 2 === 0 ? HIGH : LOW }));
  let reversals = 0;
  let direction = 0;
  for (const { from, to } of decisions) {
    const next = Math.sign(to - from);
    if (direction !== 0 && next !== direction) reversals++;
    direction = next;
  }
  const largestStep = Math.max(
    ...decisions.map(({ from, to }) => Math.round(Math.abs(to - from) * 1e6) / 1e6),
  );
  return { decisions: decisions.length, reversals, largestStep, pressure: controller.pressure };
}

describe('AdmissionController under oscillating load', () => {
  it.each([1, 2, 5])(
    'should never flap when the load alternates every %i s (shorter than recovery.sustain)',
    (half) => {
      // Good stretches never last the 5 s sustain: shedding only rises, by 6 % steps, to every cap
      // (17 steps to SHEDDABLE 100 %, 15 to SHEDDABLE_PLUS 90 %, 9 to CRITICAL 50 %... 41 + 1 = 42
      // decisions, the step crossing 100 % touching two classes) and then holds.
      expect(alternate(half)).toEqual({ decisions: 42, reversals: 0, largestStep: 0.06, pressure: 2.4 });
    },
  );

  it('should reverse at most twice per load cycle when the load alternates every 10 s', () => {
    // 30 cycles of 20 s: each bad half rises, each good half eases once its windows held good for
    // 5 s, so at most 2 reversals a cycle (60); steps never exceed maxStep.
    const result = alternate(10);
    expect(result.reversals).toBeLessThanOrEqual(60);
    expect(result).toEqual({ decisions: 367, reversals: 59, largestStep: 0.1, pressure: 2 });
  });

  it('should settle without flapping when shedding relieves the protected class', () => {
    // Closed loop: CRITICAL's ratio falls as SHEDDABLE is shed (1.4x unshed, 1x at 50 %; the
    // window mixes two seconds). Steps shrink with the overshoot down to the 1-point minimum;
    // once the ratio is in the hold band (0.75x..1x) shedding stays put for the 10 minutes.
    const { tick, controller, brief } = setup();
    const decisions: AdmissionDecision[] = [];
    for (let s = 0; s < 600; s++)
      decisions.push(...tick({ CRITICAL: 1.4 - 0.8 * controller.probability('SHEDDABLE') }));
    const steps = [0, 0.08, 0.158, 0.225, 0.28, 0.322, 0.357, 0.385, 0.408, 0.426, 0.44];
    for (let p = 0.45; p <= 0.515; p += 0.01) steps.push(Math.round(p * 100) / 100);
    expect(brief(decisions)).toEqual(
      steps.slice(1).map((to, i) => [i + 1, 'SHEDDABLE', steps[i], to, 'overload']),
    );
    expect(controller.pressure).toBe(0.51);
  });
});
