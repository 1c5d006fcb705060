import { describe, expect, it } from 'vitest';
import type { AdmissionDecision } from '../../../agent/admission/types.ts';
import { evenly, fifoPlant, setup } from './setup.ts';

/**
 * `seconds` of all-CRITICAL traffic at 2.5x the capacity of a FIFO service (100 a second, budget
 * 2 s), with `maxRejection.CRITICAL` at `cap`; the decisions, and the backlog every 10 seconds.
 */
function allCritical(cap: string, seconds: number) {
  const harness = setup({ maxRejection: { CRITICAL: cap } }, evenly());
  const plant = fifoPlant(harness, 100, 2);
  const decisions: AdmissionDecision[] = [];
  const backlog: number[] = [];
  for (let s = 1; s <= seconds; s++) {
    plant.step({ CRITICAL: 250 });
    decisions.push(...harness.controller.observe('NONE'));
    if (s % 10 === 0) backlog.push(plant.backlog());
  }
  return { brief: harness.brief(decisions), backlog, tally: plant.tally, controller: harness.controller };
}

/** The onset of both runs: the empty classes passed after the 4 s wait, then CRITICAL 10 % a tick. */
const onset = [
  [7, 'SHEDDABLE', 0, 1, 'overload'],
  [7, 'SHEDDABLE_PLUS', 0, 0.9, 'overload'],
  [7, 'CRITICAL', 0, 0.1, 'overload'],
  [8, 'CRITICAL', 0.1, 0.2, 'overload'],
  [9, 'CRITICAL', 0.2, 0.3, 'overload'],
  [10, 'CRITICAL', 0.3, 0.4, 'overload'],
  [11, 'CRITICAL', 0.4, 0.5, 'overload'],
];

describe('All-CRITICAL overload beyond what the CRITICAL cap can shed (README "Picking a class", review16 L3)', () => {
  it('should hold CRITICAL at its 50 % cap at 2.5x capacity while the backlog grows by 25 a second', () => {
    // Admitted at the cap: 250 x (1 - 0.5) = 125 a second, for 100 served: the queue grows by 25
    // a second for as long as the load lasts. Admission does what it may and says so; the
    // latency is the backlog's.
    const { brief, backlog, tally, controller } = allCritical('50%', 120);
    expect(brief).toEqual(onset);
    expect(controller.probability('CRITICAL')).toBe(0.5);
    expect(backlog).toEqual([1350, 1626, 1876, 2126, 2376, 2624, 2874, 3126, 3376, 3624, 3875, 4126]);
    expect(tally).toEqual({ CRITICAL: { offered: 30_000, admitted: 16_126, withinBudget: 250 } });
  });

  it('should drain the same load with the cap raised to 70 % for that service', () => {
    // 250 x (1 - 0.7) = 75 a second for 100 served: CRITICAL reaches 70 % in 13 s and the
    // backlog drains within 70 s: while it drains (fewer admitted than finish) the ramp does not
    // take the draining FIFO's high ratio for shedding without effect (no `ineffective` easing).
    const { brief, backlog } = allCritical('70%', 90);
    expect(brief.slice(0, 9)).toEqual([
      ...onset,
      [12, 'CRITICAL', 0.5, 0.6, 'overload'],
      [13, 'CRITICAL', 0.6, 0.7, 'overload'],
    ]);
    expect(backlog).toEqual([1350, 1251, 1001, 752, 502, 252, 1, 26, 0]);
  });
});
