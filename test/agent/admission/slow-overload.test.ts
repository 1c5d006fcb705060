/**
 * An overload arriving while a protected class is slow on its own (review15e M1). A dependency
 * adds 1.2 s to every request from second 60 (1.1x the 2 s budget whatever is shed: the ramp rightly
 * ends as `ineffective`, the verdict "slow on its own" standing for the episode); from second 240
 * the load rises (clients' retries, the daily peak) over the FIFO's 100 a second. SHEDDABLE at
 * 50-71 % keeps up, and CRITICAL needs no shedding: the overshoot left is the dependency. The ramp
 * keeps the ratio shedding could not bring lower (its floor of slowness); at that floor the ratio
 * is slowness, not load (no rise into CRITICAL, no credit for falling from the overload's peak),
 * and each `ineffective` step is an easing step watched by the flow: one that makes the backlog
 * grow is stepped back (`probe`) and the next waits twice as long, up to 16 x `sustain`.
 */
import { describe, expect, it } from 'vitest';
import { parseAdmissionSnapshot } from '../../../agent/admission/admission-snapshot.ts';
import type { Criticality } from '../../../agent/admission/criticality.ts';
import type { AdmissionDecision } from '../../../agent/admission/types.ts';
import { evenly, setup } from './setup.ts';

/** 10 % CRITICAL_PLUS, 20 % CRITICAL, 70 % SHEDDABLE. */
const mix = (n: number): Criticality[] =>
  Array.from({ length: n }, (_, i) =>
    i % 10 === 0 ? 'CRITICAL_PLUS' : i % 10 < 3 ? 'CRITICAL' : 'SHEDDABLE',
  );

/**
 * `perSecond(s)` requests a second behind a proxy bounding the queue at `limit` (admission asked
 * only when there is room), served FIFO at 100 a second, each recorded at its time in the system
 * plus the dependency's 1.2 s from second 60, over a 2 s budget. Counts, from second 240: the
 * decisions by reason, the ticks from 300 with CRITICAL shed, and the protected requests finished
 * from 300 that also queued 0.8 s or more.
 */
function slowThenOverload(limit: number, perSecond: (s: number) => number, seconds: number) {
  const { controller, clock, startMs } = setup({}, evenly());
  const queue: { criticality: Criticality; second: number }[] = [];
  const decisions: AdmissionDecision[] = [];
  let [protectedCount, queued, criticalShed] = [0, 0, 0];
  for (let s = 0; s < seconds; s++) {
    for (const criticality of mix(perSecond(s)))
      if (queue.length < limit && controller.admit(criticality).admitted)
        queue.push({ criticality, second: s });
    clock.advance(1000);
    for (const { criticality, second } of queue.splice(0, 100)) {
      const ratio = (s + 1 - second + (s >= 60 ? 1.2 : 0)) / 2;
      controller.record(criticality, ratio, clock.now());
      if (s < 300 || criticality === 'SHEDDABLE') continue;
      protectedCount++;
      if (ratio > 1.5) queued++;
    }
    decisions.push(...controller.observe('NONE'));
    if (s >= 300 && controller.probability('CRITICAL') > 0) criticalShed++;
  }
  const peak = decisions.filter((d) => d.at >= startMs + 240_000);
  const count = (reason: string) => peak.filter((d) => d.reason === reason).length;
  return {
    reasons: { overload: count('overload'), ineffective: count('ineffective'), probe: count('probe') },
    criticalShed,
    protectedCount,
    queued,
    sheddable: controller.probability('SHEDDABLE'),
    lastSecond: ((decisions.at(-1)?.at ?? startMs) - startMs) / 1000,
  };
}

describe('AdmissionController, an overload during a slow-dependency episode (review15e M1)', () => {
  it('should hold SHEDDABLE behind a bounded queue at 2.5x, CRITICAL never shed, easing bounded', () => {
    // Before: 112 `ineffective` and 110 `overload` decisions from 240 to 600 (the pressure cycled:
    // SHEDDABLE to 100 %, eased into the overload, again; at 69b3c95 CRITICAL too, 24 of 300 ticks).
    const outcome = slowThenOverload(300, (s) => (s < 240 ? 80 : 200), 600);
    expect(outcome.queued).toBeLessThan(outcome.protectedCount * 0.05);
    expect({ reasons: outcome.reasons, criticalShed: outcome.criticalShed }).toEqual({
      reasons: { overload: 14, ineffective: 15, probe: 5 },
      criticalShed: 0,
    });
  });

  it('should hold SHEDDABLE behind an unbounded FIFO at 1.5x, CRITICAL never shed, easing bounded', () => {
    // Before: 70 `ineffective` and 158 `overload` decisions from 240 to 600 (at 69b3c95 110
    // `ineffective`, CRITICAL shed in 36 of the last 300 ticks).
    const outcome = slowThenOverload(100_000, (s) => (s < 240 ? 80 : 150), 600);
    expect(outcome.queued).toBeLessThan(outcome.protectedCount * 0.05);
    expect({ reasons: outcome.reasons, criticalShed: outcome.criticalShed }).toEqual({
      reasons: { overload: 17, ineffective: 18, probe: 5 },
      criticalShed: 0,
    });
  });

  it.each([
    [300, 200],
    [100_000, 150],
  ])(
    'should probe at most every 16 x sustain once backed off, for an hour (queue bound %i, %i a second)',
    (limit, peak) => {
      // Before: 1,108 / 618 `ineffective` and 1,109 / 1,615 `overload` decisions in the hour (at
      // 69b3c95 CRITICAL was shed too, in 320 / 408 ticks). Now the easing waits up to 80 s after
      // a rise: each descent is a few `ineffective` steps (one per step delay while backed off), the
      // step back (`probe`) of the one that made the backlog grow, or the rise that drains it.
      const outcome = slowThenOverload(limit, (s) => (s < 240 ? 80 : peak), 3840);
      expect({ reasons: outcome.reasons, criticalShed: outcome.criticalShed }).toEqual(
        limit === 300
          ? { reasons: { overload: 109, ineffective: 113, probe: 9 }, criticalShed: 0 }
          : { reasons: { overload: 89, ineffective: 124, probe: 39 }, criticalShed: 0 },
      );
    },
  );

  it.each([
    [300, 200],
    [100_000, 150],
  ])(
    'should end with nothing shed once the overload is over, the dependency still slow (queue bound %i, %i a second)',
    (limit, peak) => {
      // The overload from 240 to 600, then 80 a second again: easing no longer makes the backlog
      // grow, so it goes on to 0 as `ineffective`, as the slow dependency alone did at 60-72.
      const outcome = slowThenOverload(limit, (s) => (s < 240 || s >= 600 ? 80 : peak), 1500);
      expect({ sheddable: outcome.sheddable, criticalShed: outcome.criticalShed }).toEqual({
        sheddable: 0,
        criticalShed: 0,
      });
      expect(outcome.lastSecond).toBeLessThan(700);
    },
  );

  it('should keep the floor of slowness in a checkpoint, and leave out a ramp whose floor is not a number', () => {
    // CRITICAL 1.1x from second 60 (slow on its own at the healthy rate): judged so at 65, at the
    // smoothed ratio then (the step delay's mean still holds a reading from before the step).
    const { controller, clock, startMs } = setup({}, evenly());
    for (let s = 0; s < 90; s++) {
      for (const criticality of mix(80)) controller.admit(criticality);
      clock.advance(1000);
      for (const criticality of mix(80)) controller.record(criticality, s >= 60 ? 1.1 : 0.5, clock.now());
      controller.observe('NONE');
    }
    const snapshot = JSON.parse(JSON.stringify(controller.snapshot()));
    expect(snapshot.ramp).toMatchObject({ slowSinceMs: startMs + 65_000, slowRatio: 1.098531 });
    expect(parseAdmissionSnapshot(snapshot)).toEqual(snapshot);
    const { ramp: _unread, ...rest } = snapshot;
    expect(parseAdmissionSnapshot({ ...snapshot, ramp: { ...snapshot.ramp, slowRatio: 'low' } })).toEqual(
      rest,
    );
  });
});
