// The one rule of what the flow says (issue 15): a backlog, requests in flight, a lost capacity, or
// slowness of the service's own, asked by the early rise, the sized step, the easing and the ramp's
// capacity check (agent/admission/flow-evidence.ts).
import { describe, expect, it } from 'vitest';
import type { Easing } from '../../../agent/admission/admission-easing.ts';
import type { Flow } from '../../../agent/admission/admission-flow.ts';
import type { Moment } from '../../../agent/admission/admission-tick.ts';
import {
  capacityVerdict,
  readFlow,
  runPace,
  shortRun,
  trustedFlow,
} from '../../../agent/admission/flow-evidence.ts';

const WINDOW_MS = 3000;
const NONE = { CRITICAL_PLUS: 0, CRITICAL: 0, SHEDDABLE_PLUS: 0, SHEDDABLE: 0 };
const ONE = { CRITICAL_PLUS: 1, CRITICAL: 1, SHEDDABLE_PLUS: 1, SHEDDABLE: 1 };

/** 80 a second learned healthy. */
const RATE = { learned: { perSecond: 80, atMs: 0 }, pending: [] };

/** A window of 3 s admitting 240 (80 a second) and finishing 200, 200 counted waiting, confirmed. */
function flowOf(part: Partial<Flow> = {}): Flow {
  return {
    arrivals: 240,
    completions: 200,
    expected: 240,
    shared: 240,
    scales: ONE,
    spanMs: WINDOW_MS,
    backlog: 200,
    sinceSteadyMs: 10_000,
    growingMs: 4000,
    shortMs: 0,
    pace: 200,
    confirmed: true,
    ...part,
  };
}

function momentOf(part: Partial<Moment> = {}): Moment {
  return {
    improvedSinceMs: undefined,
    ramp: undefined,
    easing: undefined,
    flow: undefined,
    readings: undefined,
    rate: RATE,
    nowMs: 100_000,
    tickMs: 1000,
    shares: NONE,
    ...part,
  };
}

const stepInFlight: Easing = {
  steps: [{ atMs: 99_000, from: 0.2, to: 0.1, criticality: 'SHEDDABLE', watched: false }],
  backoffMs: 5000,
};

describe('readFlow', () => {
  it('should read each kind of growth by its criterion', () => {
    const read = (flow: Flow | undefined, moment: Partial<Moment> = {}) =>
      readFlow(flow, momentOf(moment), WINDOW_MS);
    // Not counted here, or never steady: nothing to judge.
    expect(read(undefined)).toBe('unconfirmed');
    expect(read(flowOf({ confirmed: false }))).toBe('unconfirmed');
    // Over the rate beyond the count's noise (240 + 3 x sqrt(240) = 286.5), or no rate learned: load.
    // Where the count is large, the flow's margin (5 %) is the wider: 30,000 + 1,500 at 10,000 a second.
    expect(read(flowOf({ arrivals: 287 }))).toBe('over-rate');
    expect(read(flowOf({ arrivals: 286 }))).toBe('in-flight');
    const busy = { learned: { perSecond: 10_000, atMs: 0 }, pending: [] };
    expect(read(flowOf({ arrivals: 31_501, expected: 31_501 }), { rate: busy })).toBe('over-rate');
    expect(read(flowOf({ arrivals: 31_500, expected: 31_500 }), { rate: busy })).toBe('in-flight');
    expect(read(flowOf(), { rate: undefined })).toBe('over-rate');
    // Little's law: 200 waiting at 80 a second have waited 2.5 s, so a growth of 2 windows + 2.5 s
    // (8.5 s) is what requests in flight do at most; beyond it, a backlog.
    expect(read(flowOf({ growingMs: 8500 }))).toBe('in-flight');
    expect(read(flowOf({ growingMs: 8501 }))).toBe('backlog');
    // Three ticks finishing at a steady rate under their admissions (2 ticks after the first).
    expect(read(flowOf({ shortMs: 1000 }))).toBe('in-flight');
    expect(read(flowOf({ shortMs: 2000 }))).toBe('lost-capacity');
    // An easing step in flight lets in more than finishes for the latency: in flight, again.
    expect(read(flowOf({ growingMs: 9000 }), { easing: stepInFlight })).toBe('in-flight');
    expect(read(flowOf({ shortMs: 3000 }), { easing: stepInFlight })).toBe('in-flight');
    // The drain of a backlog a sized rise began, until released, draining or steady (its end), not
    // growing again.
    const drain = { steps: [], backoffMs: 5000, drain: {} };
    const drainingFlow = flowOf({ expected: 150, shared: 150, growingMs: 0 });
    const steadyFlow = flowOf({ expected: 205, shared: 205, growingMs: 0 });
    expect(read(drainingFlow, { easing: drain })).toBe('draining');
    expect(read(steadyFlow, { easing: drain })).toBe('draining');
    expect(read(flowOf({ expected: 211, shared: 211 }), { easing: drain })).toBe('in-flight');
    const released = { steps: [], backoffMs: 5000, drain: { releasedAtMs: 99_000 } };
    expect(read(drainingFlow, { easing: released })).toBe('in-flight');
  });
});

describe('trustedFlow', () => {
  it('should drop the growth of requests in flight and keep every other reading as it is', () => {
    const moment = momentOf();
    expect(trustedFlow(flowOf(), moment, WINDOW_MS)).toEqual(
      flowOf({ confirmed: false, expected: 200, shared: 200 }),
    );
    const backlog = flowOf({ growingMs: 9000 });
    expect(trustedFlow(backlog, moment, WINDOW_MS)).toBe(backlog);
    expect(trustedFlow(undefined, moment, WINDOW_MS)).toBeUndefined();
  });
});

describe('shortRun and runPace', () => {
  it('should run while the ticks finish at a steady rate 15 percent under their admissions', () => {
    const first = shortRun(undefined, 1000, { expected: 80, finished: 69, ms: 1000 });
    expect(first).toEqual({ sinceMs: 1000, finished: 69, perMs: 0.069 });
    // Within a fifth of the previous tick: the run goes on; 70 for 80 is under 15 % short: it ends.
    expect(shortRun(first, 2000, { expected: 80, finished: 60, ms: 1000 })).toEqual({
      sinceMs: 1000,
      finished: 60,
      perMs: 0.06,
    });
    expect(shortRun(first, 2000, { expected: 80, finished: 70, ms: 1000 })).toBeUndefined();
    // A tick finishing nothing (a stall) or a fifth off the last one's rate (a latency step's catch-up).
    expect(shortRun(first, 2000, { expected: 80, finished: 0, ms: 1000 })).toBeUndefined();
    expect(shortRun(first, 2000, { expected: 80, finished: 40, ms: 1000 })).toEqual({
      sinceMs: 2000,
      finished: 40,
      perMs: 0.04,
    });
    // The window's span at the run's last rate; the completions with no run.
    expect([runPace(first, 3000, 230), runPace(undefined, 3000, 230)]).toEqual([207, 230]);
  });
});

describe('capacityVerdict', () => {
  // 150 finished over the window at the start, SHEDDABLE (100 of them) shed at 0 then, at 40 % now:
  // the shedding predicts a fall of 40 (to 110).
  const start = { finished: [20, 30, 0, 100], shares: [0, 0, 0, 0] };
  const now = (sheddable: number) => ({ finished: [20, 30, 0, sheddable], shares: [0, 0, 0, 0.4] });

  it('should call a finished rate that held under the shedding a lost capacity, one that fell with it kept', () => {
    // Fell by under half the predicted 40: held.
    expect(capacityVerdict(start, now(81), false)).toBe('lost');
    expect(capacityVerdict(start, now(80), false)).toBe('kept');
    // A shedding that predicts under a tenth of a fall tells nothing.
    const little = { finished: [20, 30, 0, 100], shares: [0, 0, 0, 0.14] };
    expect(capacityVerdict(start, little, false)).toBe('kept');
  });

  it('should also need the finished rate within 5 percent of the start with no healthy rate', () => {
    // 142.5 of 150 is within 5 %: flat; 142 is not (a window still filling, requests in flight).
    expect(capacityVerdict(start, now(92.5), true)).toBe('lost');
    expect(capacityVerdict(start, now(92), true)).toBe('kept');
  });

  it('should keep a capacity whose check began on a window that finished nothing (a stall longer than the window)', () => {
    // read15 M5: with 0 finished at the start no fall is predicted, so nothing held; any later completions are kept.
    const stalled = { finished: [0, 0, 0, 0], shares: [0, 0, 0, 0] };
    for (const unknown of [false, true])
      for (const later of [0, 1, 150])
        expect(
          capacityVerdict(stalled, { finished: [0, 0, 0, later], shares: [0, 0, 0, 0.4] }, unknown),
        ).toBe('kept');
    // Its neighbour: one operation finished at the start; 40 % shed predicts a fall of 0.4 (over a tenth of 1), none came: held.
    const one = { finished: [0, 0, 0, 1], shares: [0, 0, 0, 0] };
    expect(capacityVerdict(one, { finished: [0, 0, 0, 1], shares: [0, 0, 0, 0.4] }, false)).toBe('lost');
  });
});
