// The easing's back-off holds only while what caused it holds (review ease4 M2): a load that is
// gone is released within recovery.sustain plus one step a tick, a load still there keeps it.
import { describe, expect, it } from 'vitest';
import type { AdmissionDecision } from '../../../agent/admission/types.ts';
import { evenly, fifoPlant, type Offered, setup } from './setup.ts';

/** `fraction` of a 100 req/s service's capacity: 10 % CRITICAL_PLUS, 20 % CRITICAL, 70 % SHEDDABLE. */
function load(fraction: number): Offered {
  return { CRITICAL_PLUS: 10 * fraction, CRITICAL: 20 * fraction, SHEDDABLE: 70 * fraction };
}

/** Uniform draws in [0, 1) from a seeded linear congruential generator (glibc's constants). */
function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return x / 2_147_483_648;
  };
}

/** `load` with each class's count scaled by 1 +/- `noise` (one draw per tick). */
function noisy(offered: Offered, noise: number, draw: () => number): Offered {
  const f = 1 + noise * (2 * draw() - 1);
  return Object.fromEntries(Object.entries(offered).map(([c, n]) => [c, Math.round(n * f)]));
}

/** A FIFO service in process: 400 s at 3x (easing backed off to 80 s), then `after` for `seconds`. */
function fifo(after: (s: number) => Offered, seconds: number) {
  const harness = setup({}, evenly());
  const plant = fifoPlant(harness, 100, 2);
  for (let s = 0; s < 400; s++) {
    plant.step(load(3));
    harness.controller.observe('NONE');
  }
  const decisions: AdmissionDecision[] = [];
  for (let s = 0; s < seconds; s++) {
    plant.step(after(s));
    decisions.push(...harness.controller.observe('NONE'));
  }
  return { harness, decisions };
}

describe('AdmissionController ending the easing back-off with its cause (review ease4 M2)', () => {
  it('should release a load that is gone within sustain plus a step a tick, in process', () => {
    // The last step back (second 348) set the wait to 80 s. At second 401 traffic falls to 30 % of
    // capacity: the requests offered fall by nine tenths, the back-off ends, and SHEDDABLE is
    // released 5 s after the signal went under the exit ratio, 10 % a tick. Before: the 80 s wait
    // held first (the first step at second 426, 25 s later: the wait counts from the step back),
    // and the easing went one watched step per step delay.
    const { harness, decisions } = fifo(() => load(0.3), 30);
    expect(harness.brief(decisions)).toEqual(
      Array.from({ length: 10 }, (_, i) => [402 + i, 'SHEDDABLE', (10 - i) / 10, (9 - i) / 10, 'recovery']),
    );
  });

  it.each([[0], [0.1], [0.2]])(
    'should keep the back-off while the 3x load is still there, with %s noise',
    (noise) => {
      // One probe (watched steps, stepped back as the backlog grows) per 80 s wait, never more
      // often: the noise (the offered load 10-20 % up or down each second) never reads as the
      // load gone. A probe is the easing steps after anything else.
      const draw = lcg(7);
      const { harness, decisions } = fifo(() => noisy(load(3), noise, draw), 600);
      const starts = decisions.filter(
        (d, i) => d.reason === 'recovery' && decisions[i - 1]?.reason !== 'recovery',
      );
      const seconds = harness.brief(starts).map(([s]) => s as number);
      const gaps = seconds.slice(1).map((s, i) => s - seconds[i]!);
      expect(gaps.every((gap) => gap >= 80)).toBe(true);
      expect(seconds.length).toBeLessThanOrEqual(Math.ceil(600 / 80));
      expect(harness.controller.pressure).toBe(1);
    },
  );

  it('should release a load that is gone as a collector sees it (the signal far under the exit ratio)', () => {
    // The queueing plant without admit(): 3x for 420 s (band probes stepped back, the last at
    // second 247: the wait is 80 s, 240 s in the band), then 30 % of capacity. The operations
    // CRITICAL_PLUS and CRITICAL finish (nothing sheds them) fall by half in the first window:
    // the back-off ends, the band has held far longer than 15 s, so it probes at once, and once
    // the signal is under the exit ratio SHEDDABLE is released 10 % a tick. Before (review ease4
    // M2): the 80 s wait held first.
    const harness = setup();
    harness.run(420, load(3));
    const decisions = harness.run(30, load(0.3));
    expect(harness.brief(decisions)).toEqual([
      [421, 'SHEDDABLE', 1, 0.9, 'probe'],
      ...Array.from({ length: 9 }, (_, i) => [427 + i, 'SHEDDABLE', (9 - i) / 10, (8 - i) / 10, 'recovery']),
    ]);
  });
});
