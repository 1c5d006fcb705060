import { describe, expect, it } from 'vitest';
import { evenly, fifoPlant, setup } from './setup.ts';

describe('AdmissionController recovery', () => {
  it('should ease only after recovery.sustain, one maxStep per tick, down to 0', () => {
    // Seconds 1-3 at 2x: SHEDDABLE 10, 20, 30 %. The window of second 4 still holds second 3's
    // 2x samples next to the first 0.5x ones (p95 1.99x): 40 %. From second 5 it holds only 0.5x
    // (under the 0.75x exit ratio); 5 s later (second 10) shedding eases by 10 % a tick until it
    // is gone; then nothing moves.
    const { startMs, ticks, brief } = setup();
    ticks(3, { CRITICAL: 2, SHEDDABLE: 0.5 });
    const decisions = ticks(30, { CRITICAL: 0.5, SHEDDABLE: 0.5 });
    expect(brief(decisions)).toEqual([
      [4, 'SHEDDABLE', 0.3, 0.4, 'overload'],
      [10, 'SHEDDABLE', 0.4, 0.3, 'recovery'],
      [11, 'SHEDDABLE', 0.3, 0.2, 'recovery'],
      [12, 'SHEDDABLE', 0.2, 0.1, 'recovery'],
      [13, 'SHEDDABLE', 0.1, 0, 'recovery'],
    ]);
    expect(decisions[0]?.message).toBe(
      'SHEDDABLE rejection 30% -> 40%: CRITICAL p95 is 1.99x its budget (target 1x, 60 samples in 3s)',
    );
    expect(decisions[1]).toEqual({
      seq: 5,
      at: startMs + 10_000,
      namespace: '',
      service: 'checkout',
      criticality: 'SHEDDABLE',
      from: 0.4,
      to: 0.3,
      reason: 'recovery',
      message:
        'SHEDDABLE rejection 40% -> 30%: CRITICAL p95 is 0.5x its budget, under 0.75x for 5s (60 samples in 3s)',
      evidence: { criticality: 'CRITICAL', percentile: 'p95', ratio: 0.5, thresholdRatio: 0.75, samples: 60 },
      level: 'NONE',
    });
    expect(decisions[4]?.message).toBe(
      'SHEDDABLE rejection 10% -> 0%: CRITICAL p95 is 0.5x its budget, under 0.75x for 8s (60 samples in 3s)',
    );
  });

  it('should restart the sustain timer when a tick falls between the exit ratio and the target', () => {
    // Good windows from second 5; the windows of seconds 7 and 8 hold 0.9x samples (hold band):
    // the timer restarts at second 9, the first good window again, so easing comes at second 14
    // instead of 10.
    const { ticks, tick, brief } = setup();
    ticks(3, { CRITICAL: 2, SHEDDABLE: 0.5 });
    expect(brief(ticks(3, { CRITICAL: 0.5, SHEDDABLE: 0.5 }))).toEqual([
      [4, 'SHEDDABLE', 0.3, 0.4, 'overload'],
    ]);
    expect(tick({ CRITICAL: 0.9, SHEDDABLE: 0.5 })).toEqual([]);
    expect(ticks(6, { CRITICAL: 0.5, SHEDDABLE: 0.5 })).toEqual([]);
    expect(brief(tick({ CRITICAL: 0.5, SHEDDABLE: 0.5 }))).toEqual([[14, 'SHEDDABLE', 0.4, 0.3, 'recovery']]);
  });

  it('should ease when traffic stops, with a message saying there is no signal', () => {
    const { ticks, brief } = setup();
    ticks(3, { CRITICAL: 2, SHEDDABLE: 0.5 });
    // Second 4 still holds second 3's samples (40 %); from second 5 the window is empty.
    const decisions = ticks(20);
    expect(brief(decisions)).toEqual([
      [4, 'SHEDDABLE', 0.3, 0.4, 'overload'],
      [10, 'SHEDDABLE', 0.4, 0.3, 'recovery'],
      [11, 'SHEDDABLE', 0.3, 0.2, 'recovery'],
      [12, 'SHEDDABLE', 0.2, 0.1, 'recovery'],
      [13, 'SHEDDABLE', 0.1, 0, 'recovery'],
    ]);
    expect(decisions[1]?.message).toBe(
      'SHEDDABLE rejection 40% -> 30%: no class had 20 samples in 3s for 5s',
    );
    expect(decisions[1]).not.toHaveProperty('evidence');
  });

  it('should ease from the top class down, one step per tick', () => {
    // The 4x queueing overload of overload.test.ts for 21 s: SHEDDABLE 100 %, SHEDDABLE_PLUS 30 %;
    // the 22nd still sees the overload: 40 %. Good windows from second 23: from second 28 the top
    // class eases first, then SHEDDABLE.
    const { run, ticks, brief } = setup();
    run(21, { CRITICAL: 200, SHEDDABLE_PLUS: 100, SHEDDABLE: 100 });
    const sheddable = [1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1];
    expect(brief(ticks(30, { CRITICAL: 0.2, SHEDDABLE_PLUS: 0.5, SHEDDABLE: 0.5 }))).toEqual([
      [22, 'SHEDDABLE_PLUS', 0.3, 0.4, 'overload'],
      [28, 'SHEDDABLE_PLUS', 0.4, 0.3, 'recovery'],
      [29, 'SHEDDABLE_PLUS', 0.3, 0.2, 'recovery'],
      [30, 'SHEDDABLE_PLUS', 0.2, 0.1, 'recovery'],
      [31, 'SHEDDABLE_PLUS', 0.1, 0, 'recovery'],
      ...sheddable.map((p, i) => [32 + i, 'SHEDDABLE', p, Math.round(p * 10 - 1) / 10, 'recovery']),
    ]);
  });
});

describe('AdmissionController easing past classes not in use (review15d L3)', () => {
  it('should release the classes nobody sent with the last step of the class in use, where admit() runs here', () => {
    // A FIFO offered only CRITICAL, 1.8x its capacity for 60 s (every class at its cap), then 0.3x:
    // SHEDDABLE and SHEDDABLE_PLUS had no request over the window, so they go with CRITICAL's last
    // step, as the way up passed them at once (before: 19 more decisions, one a tick, for classes
    // nobody sent, and a SHEDDABLE request arriving meanwhile was still shed).
    const harness = setup({}, evenly());
    const plant = fifoPlant(harness, 100, 2);
    for (let s = 0; s < 60; s++) {
      plant.step({ CRITICAL: 180 });
      harness.controller.observe('NONE');
    }
    expect(harness.controller.pressure).toBe(2.4);
    const decisions = [];
    for (let s = 0; s < 120; s++) {
      plant.step({ CRITICAL: 30 });
      decisions.push(...harness.controller.observe('NONE'));
    }
    expect(harness.brief(decisions)).toEqual([
      [72, 'CRITICAL', 0.5, 0.4, 'recovery'],
      [73, 'CRITICAL', 0.4, 0.3, 'recovery'],
      [74, 'CRITICAL', 0.3, 0.2, 'recovery'],
      [75, 'CRITICAL', 0.2, 0.1, 'recovery'],
      [76, 'SHEDDABLE', 1, 0, 'recovery'],
      [76, 'SHEDDABLE_PLUS', 0.9, 0, 'recovery'],
      [76, 'CRITICAL', 0.1, 0, 'recovery'],
    ]);
  });

  it('should walk through a class shed at 100 % step by step in collector mode (it sends nothing and cannot be told from an empty one)', () => {
    const harness = setup();
    harness.run(60, { CRITICAL: 180 });
    expect(harness.controller.pressure).toBe(2.4);
    const decisions = harness.run(60, { CRITICAL: 30 });
    // Backed off (a step back during the overload), one watched step per step delay: after
    // CRITICAL, SHEDDABLE_PLUS goes down 10 % at a time although nobody sent one.
    expect(harness.brief(decisions).slice(4)).toEqual([
      [98, 'CRITICAL', 0.1, 0, 'recovery'],
      ...Array.from({ length: 5 }, (_, i) => [
        102 + 4 * i,
        'SHEDDABLE_PLUS',
        (9 - i) / 10,
        (8 - i) / 10,
        'recovery',
      ]),
    ]);
    expect(harness.controller.pressure).toBe(1.4);
  });
});
