/**
 * What the flow says (issue 15): the one rule by which the admission law tells a backlog, requests
 * in flight after a latency step, a lost capacity and a service slow on its own apart. The early
 * rise, the sized step and the easing read the flow through {@link trustedFlow}; the sized step
 * takes the capacity a short run shows ({@link runPace}); the ramp's check of lost capacity
 * (capacity-check.ts) judges by {@link capacityVerdict}. Where each criterion comes from:
 *
 * 1. Little's law (L = λW; Little 1961): admitted minus finished is the requests in flight, the
 *    admitted rate times the latency, so it grows whenever the latency or the admissions step up,
 *    with no queue and no capacity reached: for as long as the latency after the step, the window
 *    admits more than it finishes (a dependency slowing to 2 s finishes nothing new for 2 s; an
 *    easing step lets in more for as long). The count's own wait (count / admitted rate:
 *    {@link impliedMs}) bounds that: a growth outlasting it by {@link LASTING_WINDOWS} windows is a
 *    backlog (a capacity 70 for 80 admitted: trusted after 7 s); one within it is in flight.
 * 2. Saturation (Google SRE book, "Handling Overload" and "Addressing Cascading Failures": a server
 *    at capacity finishes its capacity whatever it is offered, and a queue is what it cannot
 *    finish): a service that keeps up finishes what it admits, so shedding a share of a class lowers
 *    what it finishes of that class by that share; a saturated one (a FIFO, a queue bounded in the
 *    server or the proxy) goes on finishing its capacity. Read two ways: ticks that each finish at
 *    a steady rate (within {@link STEADY_RATE}) yet {@link SHORTFALL} fewer than they admit, for
 *    {@link SHORT_TICKS} ticks after the first ({@link shortRun}), are a lost capacity and that rate
 *    is the capacity ({@link runPace}): a latency step finishes nothing new for the step, then as
 *    many as are admitted, a stall nothing, so neither runs; and under shedding, a finished rate
 *    that fell by less than half the fall the shedding predicts ({@link MIN_FALL} at least) held: a
 *    lost capacity, else the service keeps up and is slow on its own ({@link capacityVerdict}).
 * 3. The healthy rate (healthy-rate.ts; Netflix concurrency-limits' Vegas and Gradient2 set a limit
 *    from the throughput and latency seen while healthy, not from latency alone): a load the
 *    service kept up with before is no overload by itself, so at or under that rate a growth counts
 *    only as 1 or 2 shows it; over it (by 4), the growth is load and is taken as it is.
 * 4. Counting noise (arrivals spread at random are a Poisson count: N varies by its square root;
 *    Shewhart's control limits at 3 standard deviations): a window's admissions are over the rate
 *    only beyond {@link NOISE_SIGMAS} times the square root of the rate's count, and the flow's
 *    margin. A load that only averages the rate (80 a second: 240 +-15 a window) is over it by 5 %
 *    in one window in five, and its in-flight growth after a latency step was read as a backlog:
 *    up to 613 CRITICAL rejected at dependency latencies of 2x the budget and up, no overload.
 *
 * A slow dependency at an unchanged load finishes what it did healthy (Little's law: the requests in
 * flight grow, the throughput does not), so it shows neither a run nor a held finished rate.
 */
import { FLOW_MARGIN, type Flow, growing } from './admission-flow.ts';
import type { Moment } from './admission-tick.ts';
import type { HealthyRate } from './healthy-rate.ts';
import type { FlowEvidence } from './types.ts';

/**
 * A count stands out of its own noise beyond this many standard deviations (criterion 4: Shewhart's
 * 3-sigma limits; one window in 740 of a load at the rate passes by chance).
 */
const NOISE_SIGMAS = 3;

/** A growth lasting this many windows beyond the latency the count implies is a backlog (criterion 1). */
const LASTING_WINDOWS = 2;

/** Ticks finishing within this fraction (a fifth) of the previous one's completions finish at a steady rate. */
const STEADY_RATE = 0.2;

/**
 * A tick is short when its admissions (in operations) exceed its completions by this fraction
 * (15 %): beyond the 10 % a second's count varies by at 80 a second with arrivals spread at random.
 */
const SHORTFALL = 0.15;

/** Ticks after the first of a run of short ticks ({@link Flow.shortMs}) that make it a lost capacity: 2 (3 ticks). */
const SHORT_TICKS = 2;

/** The capacity check decides only when the shedding since it began predicts a fall of this fraction (10 %). */
const MIN_FALL = 0.1;

/** A run of ticks finishing at a steady rate under their admissions (criterion 2). */
export interface ShortRun {
  readonly sinceMs: number;
  /** Operations the run's last tick finished, and per ms. */
  readonly finished: number;
  readonly perMs: number;
}

/**
 * The run of ticks, ending now, that finish operations at a steady rate yet fewer than they admit
 * (by {@link SHORTFALL}), as a service that lost capacity does for as long as the loss lasts
 * (review15e H1); `undefined` when this tick is not one (`tick`: its admissions in operations, its
 * completions, its length in ms).
 */
export function shortRun(
  run: ShortRun | undefined,
  nowMs: number,
  tick: { expected: number; finished: number; ms: number },
): ShortRun | undefined {
  const { expected, finished, ms } = tick;
  if (finished <= 0 || ms <= 0 || expected <= finished * (1 + SHORTFALL)) return undefined;
  const steady = run !== undefined && Math.abs(finished - run.finished) <= finished * STEADY_RATE;
  return { sinceMs: steady ? run.sinceMs : nowMs, finished, perMs: finished / ms };
}

/**
 * The operations a window of `spanMs` finishes at the capacity `run` shows ({@link Flow.pace}): its
 * last tick's rate, else `completions` (the window as it is). The sized step takes it for the
 * capacity once the run has lasted a tick (admission-flow.ts fill).
 */
export function runPace(run: ShortRun | undefined, spanMs: number, completions: number): number {
  return run === undefined ? completions : Math.round(run.perMs * spanMs);
}

/**
 * How long the requests counted waiting have waited at least, ms (Little's law: count / admitted
 * per ms): the bound of a growth that is requests in flight ({@link readFlow}), and how long the
 * ramp's capacity check waits for those in flight at its start to finish while the flow drains
 * (capacity-check.ts: a FIFO still draining after that drains at its capacity).
 */
export function impliedMs(flow: Flow): number {
  return flow.expected <= 0 ? 0 : (flow.backlog * flow.spanMs) / flow.expected;
}

/**
 * Whether `count` requests over `windowMs` are over the healthy rate beyond the noise of a count
 * (criterion 4): over the rate's count by {@link FLOW_MARGIN} of it and by {@link NOISE_SIGMAS}
 * times its square root (the standard deviation of a Poisson count). `undefined` while no rate is
 * learned.
 */
function overRate(rate: HealthyRate | undefined, count: number, windowMs: number): boolean | undefined {
  const learned = rate?.learned;
  if (learned === undefined) return undefined;
  const mean = (learned.perSecond * windowMs) / 1000;
  return count - mean > Math.max(mean * FLOW_MARGIN, NOISE_SIGMAS * Math.sqrt(mean));
}

/** What the flow shows of a growth (see {@link readFlow}). */
export type FlowReading =
  /** No growth to judge yet: never steady (a route never judged may grow it), or not counted here. */
  | 'unconfirmed'
  /** The load is over the healthy rate beyond the count's noise, or no rate is learned: load, taken as it is. */
  | 'over-rate'
  /** A growth lasting beyond what its count implies (criterion 1). */
  | 'backlog'
  /** A run of ticks finishing at a steady rate under their admissions (criterion 2). */
  | 'lost-capacity'
  /** The drain of a backlog a rise sized from the flow, not released yet, the flow not growing. */
  | 'draining'
  /** At or under the rate and none of the above: requests in flight (a latency step, a stall, an easing step). */
  | 'in-flight';

/**
 * What `flow` shows at the tick of `moment` (`windowMs`: `admission.window`). A backlog and a lost
 * capacity count only with no easing step in flight: each lets in more than finishes for the
 * latency, requests in flight again.
 */
export function readFlow(flow: Flow | undefined, moment: Moment, windowMs: number): FlowReading {
  if (flow === undefined || !flow.confirmed) return 'unconfirmed';
  if (overRate(moment.rate, flow.arrivals, windowMs) !== false) return 'over-rate';
  const { easing } = moment;
  const settled = (easing?.steps.length ?? 0) === 0;
  if (settled && flow.growingMs > LASTING_WINDOWS * windowMs + impliedMs(flow)) return 'backlog';
  if (settled && flow.shortMs >= SHORT_TICKS * moment.tickMs) return 'lost-capacity';
  const drain = easing?.drain;
  if (!growing(flow) && drain !== undefined && drain.releasedAtMs === undefined) return 'draining';
  return 'in-flight';
}

/**
 * The flow as the law may size from it (review15e H1/H2): as it is, unless it reads
 * {@link readFlow} `in-flight`; then its growth is dropped (admissions counted at most as the
 * completions) and it counts as not {@link Flow.confirmed}: no early rise, no sized step, no
 * release, no ramp kept rising or easing held by a backlog (a dependency slowing from 0.1x to 2x of
 * the budget at an unchanged load shed CRITICAL up to 50 %: 2,208 rejected in 5 minutes); a
 * draining flow stays draining.
 */
export function trustedFlow(flow: Flow | undefined, moment: Moment, windowMs: number): Flow | undefined {
  if (flow === undefined || readFlow(flow, moment, windowMs) !== 'in-flight') return flow;
  const { completions } = flow;
  const expected = Math.min(flow.expected, completions);
  return { ...flow, confirmed: false, expected, shared: Math.min(flow.shared, completions) };
}

/** Operations finished per class and the share shed of each, in the same order. */
export interface FinishedUnder {
  readonly finished: readonly number[];
  readonly shares: readonly number[];
}

/**
 * The capacity check's verdict (criterion 2 under shedding), from what finished when it began
 * (`start`) and now: `lost` when the shedding since predicts a fall of at least {@link MIN_FALL} of
 * what finished and less than half of it happened; `kept` otherwise (the service keeps up, the
 * shedding moved too little to tell, or nothing finished at the start to fall from). With no healthy rate (`unknown`, review15f M2) nothing else
 * says saturated, so `lost` also needs what finishes now within half of {@link MIN_FALL} (5 %) of the
 * start: a window still filling at the start finishes more later, and requests in flight for
 * seconds (a dependency slow from the first second) show the shedding late, so finish only part of
 * the fall predicted by the time of the verdict (8 % of a 22 % fall at 1.2x the budget).
 */
export function capacityVerdict(start: FinishedUnder, now: FinishedUnder, unknown: boolean): 'lost' | 'kept' {
  const before = sum(start.finished);
  const predicted = sum(
    start.finished.map((n, i) => {
      const then = 1 - (start.shares[i] ?? 0);
      return then <= 0 ? 0 : (n * (1 - (now.shares[i] ?? 0))) / then;
    }),
  );
  const fall = before - predicted;
  const after = sum(now.finished);
  // A fall of nothing predicted (nothing finished at the start: a stall longer than the window)
  // tells nothing, whatever finishes later (read15 M5).
  const held = fall > 0 && fall >= before * MIN_FALL && before - after < fall / 2;
  const flat = Math.abs(after - before) <= (before * MIN_FALL) / 2;
  return held && (!unknown || flat) ? 'lost' : 'kept';
}

const sum = (values: readonly number[]) => values.reduce((total, n) => total + n, 0);

/**
 * `flow`'s counts as a decision's evidence (types.ts FlowEvidence, review15g M3), with what the
 * tick's own flow reads ({@link readFlow}; `windowMs`: `admission.window`): the numbers the
 * decision's message gives.
 */
export function flowEvidence(flow: Flow, moment: Moment, windowMs: number): FlowEvidence {
  const reading = readFlow(moment.flow, moment, windowMs);
  const { arrivals: admitted, completions: finished, backlog: waiting, spanMs } = flow;
  return Object.freeze({ admitted, finished, waiting, windowMs: spanMs, reading });
}
