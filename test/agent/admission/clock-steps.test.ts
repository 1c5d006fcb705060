import { describe, expect, it } from 'vitest';
import { AdmissionController } from '../../../agent/admission/admission-controller.ts';
import type { AdmissionDecision } from '../../../agent/admission/types.ts';
import { type Clock, ManualClock } from '../../../agent/clock.ts';
import { admissionConfig, evenly, fifoPlant, proxyQueue } from './setup.ts';

/**
 * review15g M2: the wall clock (the agent's clock, as span end times are) steps back or jumps ahead
 * (an NTP step, a VM resumed from a snapshot). Admission runs on a clock that never goes back
 * (agent/steady-clock.ts), so its windows, and the rings that read back for services finishing few
 * operations (window-reach.ts), take the samples stamped after the step at once. Before (main at
 * 38371c7), a step back of D refused every sample for D: 10 s back, the first decision at the
 * overload's second 8 and 3,617 of 7,200 CRITICAL within budget; 60 s, second 58 and 40.
 */

/** A wall clock that can step: the manual clock's time plus `shiftMs`. */
function steppingClock() {
  const manual = new ManualClock();
  let shiftMs = 0;
  const clock = {
    now: () => manual.now() + shiftMs,
    every: (ms: number, fn: () => void) => manual.every(ms, fn),
    after: (ms: number, fn: () => void) => manual.after(ms, fn),
    advance: (ms: number) => manual.advance(ms),
    step: (ms: number) => {
      shiftMs += ms;
    },
  };
  return clock satisfies Clock;
}

function controllerOn(clock: Clock) {
  const config = admissionConfig();
  return new AdmissionController({ config, clock, service: 'checkout', random: evenly() });
}

const CALM = { CRITICAL_PLUS: 6, CRITICAL: 12, SHEDDABLE: 42 };
const THREE_X = { CRITICAL_PLUS: 30, CRITICAL: 60, SHEDDABLE: 210 };

/**
 * A FIFO of 100 a second (fifoPlant, 2 s budget): `calmS` seconds at 0.6x then 3x, the wall clock
 * stepping by `stepMs` before second `stepAtS` of the overload; 120 s of overload in all.
 */
function run(stepMs: number, options: { calmS?: number; stepAtS?: number } = {}) {
  const { calmS = 60, stepAtS = 1 } = options;
  const clock = steppingClock();
  const controller = controllerOn(clock);
  const plant = fifoPlant({ controller, clock: clock as unknown as ManualClock }, 100);
  for (let s = 0; s < calmS; s++) {
    plant.step(CALM);
    controller.observe('NONE');
  }
  const decisions: { s: number; decision: AdmissionDecision }[] = [];
  let criticalBefore = 0;
  for (let s = 1; s <= 120; s++) {
    if (s === stepAtS) {
      clock.step(stepMs);
      criticalBefore = plant.tally.CRITICAL?.withinBudget ?? 0;
    }
    plant.step(THREE_X);
    for (const decision of controller.observe('NONE')) decisions.push({ s, decision });
  }
  const firstS = decisions.find(({ s }) => s >= stepAtS)?.s;
  const sinceStep = decisions.filter(({ s }) => s >= stepAtS);
  return {
    firstS,
    decisionsSinceStep: sinceStep.length,
    criticalWithinBudget: plant.tally.CRITICAL!.withinBudget - criticalBefore,
    backlog: plant.backlog(),
    sheddable: controller.probability('SHEDDABLE'),
    atMs: decisions.map(({ decision }) => decision.at),
    wallMs: clock.now(),
  };
}

/**
 * A FIFO of 4 a second behind no bound (proxyQueue: the read reaches back through the rings of
 * window-reach.ts), 60 s at 0.5x then 3x for 180 s, the wall clock stepping by `stepMs` at second 60.
 */
function lowCapacity(stepMs: number) {
  const clock = steppingClock();
  const controller = controllerOn(clock);
  let second = 0;
  const seconds: number[] = [];
  controller.subscribe(() => seconds.push(second));
  const perSecond = (s: number) => {
    second = s;
    if (s === 60) clock.step(stepMs);
    return s < 60 ? 2 : 12;
  };
  const harness = { controller, clock: clock as unknown as ManualClock };
  const out = proxyQueue(harness, { limit: 100_000, perSecond, capacity: 4, seconds: 240, from: 60 });
  const { overBudget, protectedCount, lastOverS } = out;
  return { firstS: seconds[0], decisions: seconds.length, overBudget, protectedCount, lastOverS };
}

describe('AdmissionController when the wall clock steps (review15g M2)', () => {
  // [step ms, first decision (overload s), CRITICAL within budget of 7,200, decisions]: no backlog
  // left in any. A step back stalls admission's clock for the tick it happens in (the time passed
  // then is unknown), whatever its size. A jump ahead empties the windows (what they held is a
  // jump old): the first decision comes one tick later.
  it.each([
    [0, 1, 6873, 15],
    [-2000, 1, 6605, 24],
    [-10_000, 1, 6605, 24],
    [-60_000, 1, 6605, 24],
    [-3_600_000, 1, 6605, 24],
    [60_000, 2, 6537, 14],
    [3_600_000, 2, 6537, 14],
  ])(
    'should shed from the overload start when the clock steps %i ms just before it',
    (stepMs, firstS, within, count) => {
      const out = run(stepMs);
      expect(out).toMatchObject({
        firstS,
        criticalWithinBudget: within,
        decisionsSinceStep: count,
        backlog: 0,
      });
      // A decision's time is the wall clock's: none after the wall clock's now.
      expect(Math.max(...out.atMs)).toBeLessThanOrEqual(out.wallMs);
    },
  );

  // The shedding in force at the overload's second 60 stays: the same decisions and requests
  // within budget as with no step. Before: 10 s back, 15 decisions and 2,236 CRITICAL within
  // budget (3,660 with no step; main at f11b592: 3,663); 60 s back, 6 and 3,566.
  it.each([-2000, -10_000, -60_000, -3_600_000, 60_000, 3_600_000])(
    'should keep the shedding in force when the clock steps %i ms in the overload',
    (stepMs) => {
      const { wallMs: _steady, atMs: _atSteady, ...steady } = run(0, { stepAtS: 60 });
      const { wallMs, atMs, ...stepped } = run(stepMs, { stepAtS: 60 });
      expect({ ...stepped, firstS: undefined }).toEqual({ ...steady, firstS: undefined });
      expect(steady).toMatchObject({ decisionsSinceStep: 2, criticalWithinBudget: 3663, backlog: 0 });
    },
  );

  // A service read back through the rings. Before: 10 s back, the first decision at second 65 and
  // 83 protected over budget until second 95; 60 s back, second 115 and 248 of 251 until 240.
  it.each([
    [0, { firstS: 61, decisions: 18, overBudget: 34, protectedCount: 633, lastOverS: 85 }],
    [-10_000, { firstS: 61, decisions: 22, overBudget: 36, protectedCount: 633, lastOverS: 85 }],
    [-60_000, { firstS: 61, decisions: 22, overBudget: 36, protectedCount: 633, lastOverS: 85 }],
  ])('should read back through the rings when the clock steps %i ms (4 a second)', (stepMs, expected) => {
    expect(lowCapacity(stepMs)).toEqual(expected);
  });
});
