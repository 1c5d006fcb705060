// What an overload's onset costs behind a deep FIFO, where admit() runs here (review15c H1): the
// latency at completion lags the queue by a whole waiting time, the flow of admitted against
// finished requests says it at once. `npm run bench -- admission-onset` prints the wider table.
import { describe, expect, it } from 'vitest';
import {
  aheadRatio,
  backlogged,
  drained,
  type Flow,
  sizedPressure,
  steadyPressure,
} from '../../../agent/admission/admission-flow.ts';
import { FlowLog } from '../../../agent/admission/flow-log.ts';
import type { AdmissionDecision } from '../../../agent/admission/types.ts';
import { admissionConfig, evenly, fifoPlant, type Offered, setup } from './setup.ts';

/** `factor` x a 100 req/s service: 10 % CRITICAL_PLUS, 20 % CRITICAL, 70 % SHEDDABLE. */
const mix = (factor: number): Offered => ({
  CRITICAL_PLUS: Math.round(10 * factor),
  CRITICAL: Math.round(20 * factor),
  SHEDDABLE: Math.round(70 * factor),
});

/**
 * A FIFO of 100 req/s (budget 2 s) seen healthy for 30 s at 0.5x, then `seconds` at the load
 * `factorAt(second)` gives: the decisions, the largest backlog, and the protected classes'
 * requests completed within budget / offered after the warm-up.
 */
function afterWarmUp(factorAt: (second: number) => number, seconds: number) {
  const harness = setup({}, evenly());
  const plant = fifoPlant(harness, 100, 2);
  for (let s = 0; s < 30; s++) {
    plant.step(mix(0.5));
    harness.controller.observe('NONE');
  }
  const before = structuredClone(plant.tally);
  const decisions: AdmissionDecision[] = [];
  let maxBacklog = 0;
  for (let s = 0; s < seconds; s++) {
    plant.step(mix(factorAt(s)));
    decisions.push(...harness.controller.observe('NONE'));
    maxBacklog = Math.max(maxBacklog, plant.backlog());
  }
  const protectedOnes = ['CRITICAL_PLUS', 'CRITICAL'] as const;
  const count = (key: 'offered' | 'withinBudget') =>
    protectedOnes.reduce((sum, c) => sum + plant.tally[c][key] - before[c][key], 0);
  const goodput = count('withinBudget') / count('offered');
  return { brief: harness.brief(decisions), decisions, maxBacklog, goodput };
}

/**
 * One 3x onset from second `s`: SHEDDABLE, the empty SHEDDABLE_PLUS and CRITICAL to
 * their caps at once, then, the backlog gone and a window steady, the drain's share released in one
 * tick.
 */
const onsetAt = (s: number, steady: number) => [
  [s, 'SHEDDABLE', 0, 1, 'overload'],
  [s, 'SHEDDABLE_PLUS', 0, 0.9, 'overload'],
  [s, 'CRITICAL', 0, 0.5, 'overload'],
  [s + 8, 'SHEDDABLE', 1, steady, 'drained'],
  [s + 8, 'SHEDDABLE_PLUS', 0.9, 0, 'drained'],
  [s + 8, 'CRITICAL', 0.5, 0, 'drained'],
];

describe('AdmissionController at the onset of an overload behind a FIFO, in process (review15c H1)', () => {
  it('should shed SHEDDABLE and CRITICAL at the first tick of 3x, and release CRITICAL once the backlog is gone', () => {
    // The first tick of 3x: 400 admitted against 200 finished over the window, the latency still
    // 0.5x. The requests admitted now wait (admitted / finished) times longer than the ones
    // finishing (Little's law): 1x, over the exit ratio, so the flow sizes the shedding at once:
    // what brings the admissions under the completions and drains the 200 waiting within
    // `recovery.sustain`, SHEDDABLE and CRITICAL to their caps. The queue never holds more than
    // the budget's worth (200). The backlog is gone 5 s later and the window steady 3 s after
    // that: the drain's share goes in one tick (`drained`), down to what keeps the admissions under
    // the most the service finished while busy (SHEDDABLE 97.7 %); easing then probes SHEDDABLE
    // (stepped back: 3x is still there). Before review15c
    // H1: SHEDDABLE 10 % a tick from the third tick, 1,456 queued, 40.9 % of the protected
    // requests within budget over 4 minutes; before the release (onset15), CRITICAL stayed at 50 %
    // for 13 s after its backlog was gone.
    const run = afterWarmUp(() => 3, 240);
    expect(run.brief.slice(0, 8)).toEqual([
      ...onsetAt(31, 0.977),
      [45, 'SHEDDABLE', 0.977, 0.877, 'recovery'],
      [46, 'SHEDDABLE', 0.877, 0.977, 'probe'],
    ]);
    expect(run.decisions.slice(0, 4).map((d) => d.message)).toEqual([
      'SHEDDABLE rejection 0% -> 100%: CRITICAL_PLUS p95 is 0.5x its budget (target 1x, 20 samples in 3s); the backlog grows (400 admitted, 200 finished in 3s; 200 waiting)',
      'SHEDDABLE_PLUS rejection 0% -> 90%: CRITICAL_PLUS p95 is 0.5x its budget (target 1x, 20 samples in 3s); the backlog grows (400 admitted, 200 finished in 3s; 200 waiting)',
      'CRITICAL rejection 0% -> 50%: CRITICAL_PLUS p95 is 0.5x its budget (target 1x, 20 samples in 3s); the backlog grows (400 admitted, 200 finished in 3s; 200 waiting)',
      'SHEDDABLE rejection 100% -> 97.7%: the backlog drained (182 admitted, 184 finished in 3s; 0 waiting): the share shed to drain it is released, down to pressure 0.977',
    ]);
    expect(run.maxBacklog).toBe(200);
    expect(run.goodput).toBeGreaterThanOrEqual(0.98);
  });

  it('should size the shedding to the overload: 1.5x sheds SHEDDABLE in part and never CRITICAL', () => {
    // 150 offered for 100: SHEDDABLE at 46 % at once (what the window's flow asks: its backlog, under
    // a quarter of the window's completions, drains by the margin alone), a few points more as the
    // backlog still grows, then easing probes around it; the queue stays near 100.
    const run = afterWarmUp(() => 1.5, 120);
    expect(run.brief.slice(0, 2)).toEqual([
      [32, 'SHEDDABLE', 0, 0.46, 'overload'],
      [33, 'SHEDDABLE', 0.46, 0.524, 'overload'],
    ]);
    expect(run.brief.filter(([, c]) => c !== 'SHEDDABLE')).toEqual([]);
    expect(run.maxBacklog).toBe(102);
    expect(run.goodput).toBeGreaterThanOrEqual(0.998);
  });

  it('should pay the same bounded onset at every burst of a square wave: 3x for 30 s, 0.5x for 60 s', () => {
    // Easing releases SHEDDABLE during each pause; each burst is caught at its first tick again
    // the backlog never over the budget's worth, CRITICAL released 8 s into each burst (before: SHEDDABLE 10 % a tick behind a queue
    // of 1,457, 19.8 % of the protected requests within budget; before the release, CRITICAL
    // held at 50 % for 13 s after each backlog was gone).
    const run = afterWarmUp((s) => (s % 90 < 30 ? 3 : 0.5), 180);
    const onsets = run.brief.filter(([, c, from]) => c === 'CRITICAL' && from === 0);
    expect(onsets.map(([s, , , , reason]) => [s, reason])).toEqual([
      [31, 'overload'],
      [121, 'overload'],
    ]);
    expect(run.brief.filter(([s]) => (s as number) >= 121 && (s as number) <= 129)).toEqual(
      onsetAt(121, 0.977),
    );
    expect(run.maxBacklog).toBe(200);
    expect(run.goodput).toBeGreaterThanOrEqual(0.9);
  });
});

/** A flow over a one-second window with defaults for the fields a case does not set. */
function flowOf(part: Partial<Flow>): Flow {
  const { arrivals = 300, expected = 300 } = part;
  const scale = expected / arrivals;
  const scales = { CRITICAL_PLUS: scale, CRITICAL: scale, SHEDDABLE_PLUS: scale, SHEDDABLE: scale };
  return {
    arrivals,
    completions: 100,
    expected,
    shared: part.expected ?? expected,
    scales,
    spanMs: 1000,
    backlog: 200,
    sinceSteadyMs: 1000,
    growingMs: 0,
    shortMs: 0,
    pace: part.completions ?? 100,
    confirmed: true,
    ...part,
  };
}

const CAPS = admissionConfig().maxRejection;
const LIMITS = { minSamples: 20, drainMs: 5000 };
const THREE_X = { CRITICAL_PLUS: 30, CRITICAL: 60, SHEDDABLE_PLUS: 0, SHEDDABLE: 210 };

describe('sizedPressure, backlogged, aheadRatio (review15c H1)', () => {
  it.each([
    // 300 offered, 95 to admit less the 40 that drain 200 in 5 s: SHEDDABLE, the empty
    // SHEDDABLE_PLUS, and CRITICAL to its cap (35 more than CRITICAL's half).
    ['growing at 3x', flowOf({}), THREE_X, 2.4],
    // 120 for 100 with 20 waiting, under a quarter of the 100 finished: no drain share, 25 of
    // SHEDDABLE's 84 (29.8 %, rounded up).
    [
      'growing at 1.2x',
      flowOf({ arrivals: 120, expected: 120, backlog: 20 }),
      { CRITICAL_PLUS: 12, CRITICAL: 24, SHEDDABLE_PLUS: 0, SHEDDABLE: 84 },
      0.298,
    ],
    // The same with 30 waiting (over a quarter): 6 more a second to drain them in 5 s (36.9 %).
    [
      'growing at 1.2x, 30 waiting',
      flowOf({ arrivals: 120, expected: 120, backlog: 30 }),
      { CRITICAL_PLUS: 12, CRITICAL: 24, SHEDDABLE_PLUS: 0, SHEDDABLE: 84 },
      0.37,
    ],
    // SHEDDABLE whole leaves 3 over 95 (within the 5 % margin of 100 finished): no crumb of
    // CRITICAL through the empty SHEDDABLE_PLUS.
    [
      'within the margin past the first class',
      flowOf({ arrivals: 130, expected: 130, backlog: 20 }),
      { CRITICAL_PLUS: 13, CRITICAL: 85, SHEDDABLE_PLUS: 0, SHEDDABLE: 32 },
      1,
    ],
    // Draining at 10 a second, 300 waiting: a 30 s drain, so all it takes to drain it in 5 s.
    ['draining too slowly', flowOf({ arrivals: 90, expected: 90, backlog: 300 }), THREE_X, 2.4],
    ['draining within 5 s', flowOf({ arrivals: 50, expected: 50, backlog: 100 }), THREE_X, undefined],
    ['steady', flowOf({ arrivals: 100, expected: 100, backlog: 0 }), THREE_X, undefined],
    ['never steady (a route never judged?)', flowOf({ confirmed: false }), THREE_X, undefined],
    ['too few finished', flowOf({ completions: 19 }), THREE_X, undefined],
  ] as const)('should size %s', (_, flow, offered, pressure) => {
    expect(sizedPressure(flow, offered, CAPS, LIMITS)).toBe(pressure);
    expect(backlogged(flow, LIMITS.drainMs)).toBe(pressure !== undefined || flow.completions < 20);
  });

  it('should size the steady share without the drain, and call a backlog gone only on a steady window', () => {
    // 300 offered against 100 finished: SHEDDABLE takes off 205 (95 let in), whatever is waiting.
    expect(steadyPressure(flowOf({ backlog: 900 }), THREE_X, CAPS, 20)).toBe(0.977);
    expect(steadyPressure(flowOf({ completions: 19 }), THREE_X, CAPS, 20)).toBe(undefined);
    // Gone: the count at most 5 % of the completions, the window neither growing nor draining.
    expect(drained(flowOf({ arrivals: 100, expected: 100, backlog: 5 }))).toBe(true);
    expect(drained(flowOf({ arrivals: 100, expected: 100, backlog: 6 }))).toBe(false);
    expect(drained(flowOf({ arrivals: 80, expected: 80, backlog: 0 }))).toBe(false);
    expect(drained(flowOf({ backlog: 0 }))).toBe(false);
    expect(drained(flowOf({ arrivals: 100, expected: 100, backlog: 0, confirmed: false }))).toBe(false);
    expect(drained(undefined)).toBe(false);
  });

  it('should lead the latency by admitted / finished only at an onset from a steady flow', () => {
    expect(aheadRatio(0.5, flowOf({}), 3000)).toBe(1.5);
    expect(aheadRatio(0.5, flowOf({ sinceSteadyMs: 4000 }), 3000)).toBe(0.5);
    expect(aheadRatio(0.5, flowOf({ confirmed: false }), 3000)).toBe(0);
    expect(aheadRatio(0.5, flowOf({ arrivals: 100, expected: 100 }), 3000)).toBe(0);
    expect(aheadRatio(0.5, undefined, 3000)).toBe(0);
  });
});

/** `n` requests or operations, all SHEDDABLE. */
const sheddable = (n: number) => ({ CRITICAL_PLUS: 0, CRITICAL: 0, SHEDDABLE_PLUS: 0, SHEDDABLE: n });
const ONE = { CRITICAL_PLUS: 1, CRITICAL: 1, SHEDDABLE_PLUS: 1, SHEDDABLE: 1 };

describe('FlowLog (review15c H1)', () => {
  it('should count the backlog tick by tick, start it over when settled, and learn only from a window a window old', () => {
    const log = new FlowLog();
    const mark = (atMs: number, admitted: number, finished: number) =>
      log.mark(
        atMs,
        { admitted: sheddable(admitted), finished: sheddable(finished), offered: sheddable(0) },
        3000,
        20,
      );
    // The first mark: nothing over it yet (an empty window, idle).
    expect(mark(1000, 100, 100)).toEqual(undefined);
    const steady = mark(2000, 200, 200);
    const before = { backlog: 0, sinceSteadyMs: 1000, confirmed: false, scales: ONE };
    expect(steady).toEqual(flowOf({ arrivals: 100, completions: 100, expected: 100, ...before }));
    const burst = mark(3000, 500, 300);
    const since = { spanMs: 2000, backlog: 200, confirmed: true, scales: ONE };
    expect(burst).toEqual(flowOf({ arrivals: 400, completions: 200, expected: 400, ...since }));
    // A healthy tick now learns from the window a window old (the first mark's: nothing in it), not
    // the burst's, whose 200 finished per 400 admitted would move the ratio to 0.95 (665 here).
    log.learn(20, 3000, 3000);
    expect(mark(4000, 800, 400)?.expected).toBe(700);
    log.settle(20);
    expect(mark(5000, 900, 500)?.backlog).toBe(0);
    // A window that finished nothing is no health (review15e H2): the count of the requests in
    // flight, 100 a tick, goes on.
    for (const [atMs, admitted] of [
      [6000, 1000],
      [7000, 1100],
      [8000, 1200],
    ] as const)
      mark(atMs, admitted, 500);
    log.settle(20);
    expect(mark(9000, 1300, 500)?.backlog).toBe(400);
  });
});
