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

/**
 * The same all-CRITICAL FIFO service (100 a second, budget 2 s) as a collector sees it (review15d
 * H3): no `admit()` here, the service turns away each request with the controller's probability
 * (evenly drawn). A minute at 0.6x capacity (within budget: the healthy rate), then `load` x
 * capacity for `seconds`; the decisions and the backlog every 20 seconds of the overload.
 */
function collectorAllCritical(load: number, seconds: number) {
  const harness = setup();
  const { controller, clock } = harness;
  const draw = evenly();
  const queue: number[] = [];
  const decisions: AdmissionDecision[] = [];
  const backlog: number[] = [];
  for (let s = -60; s < seconds; s++) {
    const p = controller.probability('CRITICAL');
    for (let i = 0; i < 100 * (s < 0 ? 0.6 : load); i++) if (draw() >= p) queue.push(s);
    clock.advance(1000);
    for (const arrived of queue.splice(0, 100))
      controller.record('CRITICAL', (s + 1 - arrived) / 2, clock.now());
    decisions.push(...controller.observe('NONE'));
    if (s >= 0 && (s + 1) % 20 === 0) backlog.push(queue.length);
  }
  return { harness, decisions, backlog };
}

describe('All-CRITICAL overload at the CRITICAL cap as a collector sees it (review15d H3)', () => {
  it('should hold CRITICAL at its cap at 1.8x while the backlog drains, never easing it as ineffective', () => {
    // Admitted at the cap: 90 a second for 100 served: the onset's backlog drains. Every class is
    // at its cap (nothing more may rise) and CRITICAL judges itself while its p95 stays over the
    // target; the operations finished (100 a second) are over the 60 it finished within budget,
    // so this is load, not slowness: CRITICAL stays shed. Once drained, recovery probes (a step of
    // 10 %: 108 a second admitted, the backlog builds again and the step is taken back). Before:
    // CRITICAL eased as `ineffective` at seconds 29-30 and 126-130, 4,162 waiting after 240 s.
    const { harness, decisions, backlog } = collectorAllCritical(1.8, 240);
    expect(decisions.filter((d) => d.reason === 'ineffective')).toEqual([]);
    expect(backlog).toEqual([703, 502, 301, 102, 78, 308, 107, 35, 322, 121, 8, 331]);
    expect(harness.controller.probability('CRITICAL')).toBe(0.5);
  });

  it('should hold CRITICAL at its 50 % cap at 2.5x while the backlog grows by 25 a second', () => {
    // As in process: the same climb to the cap (the empty classes passed after the 4 s wait), and
    // no decision after it: admission does what it may (1.25x capacity admitted) and holds it. Before: eased as `ineffective` at seconds 42-46, 24,154 waiting.
    const { harness, decisions, backlog } = collectorAllCritical(2.5, 240);
    const sinceOverload = harness.brief(decisions).map(([s, ...rest]) => [(s as number) - 60, ...rest]);
    expect(sinceOverload).toEqual(onset);
    expect(backlog).toEqual([1623, 2124, 2624, 3124, 3625, 4123, 4624, 5123, 5624, 6125, 6625, 7124]);
  });
});
