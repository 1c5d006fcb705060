/**
 * Whether the service keeps up with what admission lets in (review15b N2): requests admitted over
 * `admission.window` against operations finished over it (the samples of the windows). A backlog
 * drains while fewer requests are admitted than finish, whatever the latency of the ones finishing
 * says (a FIFO's latency at completion goes on rising for as long as a request waited, after the
 * queue has begun to shrink): Little's law, the way Netflix concurrency-limits and Envoy reason
 * about in-flight work rather than latency alone. Known only where `admit()` runs in this process;
 * in collector mode (no admission counted here) the flow is unknown and the law goes by the signal.
 */

import { FILL_ORDER, type LevelBounds } from './admission-law.ts';
import type { OfferedLoad } from './class-requests.ts';
import { CRITICALITIES } from './criticality.ts';

/** A flow counts as draining, or growing, when admissions are 5 % under, or over, completions. */
export const FLOW_MARGIN = 0.05;

/** Requests admitted and operations finished over the window. */
export interface Flow {
  readonly arrivals: number;
  readonly completions: number;
  /** The operations the admissions should finish as while healthy (see {@link FlowLog}). */
  readonly expected: number;
  /** The span the counts cover, ms: the window, or less in a controller's first window. */
  readonly spanMs: number;
  /**
   * Operations admitted and not finished yet (review15c H1), as the counts tell: admissions (in
   * finished operations) less completions, tick by tick since the service was last healthy for a
   * window (see {@link FlowLog.settle}), never under 0.
   */
  readonly backlog: number;
  /**
   * ms since the last tick whose window was steady (admissions within {@link FLOW_MARGIN} of
   * completions, or neither: idle); `Infinity` when none was. A growth that began within a window
   * of a steady flow is an onset, not the learned ratio still converging.
   */
  readonly sinceSteadyMs: number;
  /**
   * Whether some window with requests admitted was steady: the learned ratio of operations per
   * request has matched the service at least once. Until then a growth may be a route whose
   * admitted requests are never judged (review16 M3), not a backlog: the law does not size from it.
   */
  readonly confirmed: boolean;
}

/** Whether the backlog drains: admissions known and 5 % under completions (in finished operations). */
export function draining(flow: Flow | undefined): boolean {
  return flow !== undefined && flow.expected < flow.completions * (1 - FLOW_MARGIN);
}

/** Whether the backlog grows: admissions known and 5 % over completions (in finished operations). */
export function growing(flow: Flow | undefined): boolean {
  return flow !== undefined && flow.expected > flow.completions * (1 + FLOW_MARGIN);
}

/**
 * The ratio the requests admitted now are heading for (`ratio`: the judging classes' percentile
 * now), where admissions are counted here and the backlog grows (review15c H1), else 0: a queue filling from empty at λ admitted against μ
 * finished holds the requests admitted at time t for (λ/μ - 1)t, the ones finishing then for (1 -
 * μ/λ)t, λ/μ times less, so the latency finishing lags the latency admitted by that factor
 * (Little's law). Rising starts once this is over the exit ratio (the judging classes near their
 * budget), a whole waiting time before the latency finishing crosses the target. The lead counts
 * only for a growth that began within a window of a steady (or idle) flow: one that lasts may be
 * the learned ratio of operations per request still converging (see FlowLog), and then the
 * judging ratio itself must be over the exit ratio. 0 before the flow has been steady once
 * ({@link Flow.confirmed}): a growth may then be a route whose requests are never judged.
 */
export function aheadRatio(ratio: number, flow: Flow | undefined, windowMs: number): number {
  if (flow === undefined || !flow.confirmed || !growing(flow)) return 0;
  if (flow.sinceSteadyMs > windowMs) return ratio;
  return (ratio * flow.expected) / Math.max(flow.completions, 1);
}

/**
 * Whether the backlog is out of hand (review15c H1): it grows, or it drains so slowly that it
 * would still be there after `drainMs` at the window's pace. A FIFO offered 3x its capacity with
 * SHEDDABLE shed drains at capacity less the protected classes' load (a tenth of it with the
 * issue's mix), and a protected request waits behind the whole backlog meanwhile. Never before
 * the flow has been steady once ({@link Flow.confirmed}).
 */
export function backlogged(flow: Flow | undefined, drainMs: number): boolean {
  if (flow === undefined || !flow.confirmed) return false;
  if (growing(flow)) return true;
  if (!draining(flow) || flow.backlog <= flow.completions * FLOW_MARGIN) return false;
  return flow.backlog * flow.spanMs > (flow.completions - flow.expected) * drainMs;
}

/**
 * The shed pressure that brings the admissions under the completions over the window (less
 * {@link FLOW_MARGIN}) and drains the backlog within `drainMs` on top (review15c H1): while a
 * backlog waits, the service finishes as many operations as it can (Little's law: a busy queue
 * runs at capacity), so the completions measure its capacity. The requests `offered` over the
 * window fill the classes from SHEDDABLE up, each to its cap; a class nobody asked for takes its
 * cap (as admission-signal.ts frontierOf passes it). `undefined` unless the backlog is out of
 * hand ({@link backlogged}) and `minSamples` requests were admitted and finished over the window.
 */
export function sizedPressure(
  flow: Flow | undefined,
  offered: OfferedLoad | undefined,
  caps: LevelBounds['caps'],
  limits: { readonly minSamples: number; readonly drainMs: number },
): number | undefined {
  if (flow === undefined || offered === undefined || !backlogged(flow, limits.drainMs)) return undefined;
  if (flow.arrivals < limits.minSamples || flow.completions < limits.minSamples) return undefined;
  // A backlog under a quarter of the window's completions waits less than a quarter window: the
  // 5 % margin under the completions drains it, no class is shed further for it (under noise a
  // 20-request backlog sized CRITICAL's crumbs of 2-8 % in and out every few seconds).
  const backlog = flow.backlog > flow.completions * SMALL_BACKLOG ? flow.backlog : 0;
  return fill(flow, offered, caps, (backlog * flow.spanMs) / limits.drainMs);
}

/** A backlog of at most this share of the window's completions (a quarter) is drained by the margin alone. */
const SMALL_BACKLOG = 0.25;

/**
 * The part of {@link sizedPressure} that keeps the admissions under the completions, without the
 * share that drains the backlog: what the shedding must stay at once the backlog is gone (a
 * rise's `drainTo`, see admission-ramp.ts). `undefined` under `minSamples` admitted or finished.
 */
export function steadyPressure(
  flow: Flow,
  offered: OfferedLoad,
  caps: LevelBounds['caps'],
  minSamples: number,
): number | undefined {
  if (flow.arrivals < minSamples || flow.completions < minSamples) return undefined;
  return fill(flow, offered, caps, 0);
}

/**
 * The pressure whose shares, filling the classes from SHEDDABLE up each to its cap, take off what
 * the requests `offered` (in finished operations) exceed the completions by (less
 * {@link FLOW_MARGIN}), plus `drain` operations over the window's span; a class nobody asked for
 * takes its cap (as admission-signal.ts frontierOf passes it); past the first class shed, only an
 * excess over the flow's margin goes on to the next. Rounded up to a thousandth.
 */
function fill(flow: Flow, offered: OfferedLoad, caps: LevelBounds['caps'], drain: number): number {
  const scale = flow.expected / flow.arrivals;
  const total = CRITICALITIES.reduce((sum, c) => sum + offered[c], 0) * scale;
  let excess = total - (flow.completions * (1 - FLOW_MARGIN) - drain);
  let pressure = 0;
  for (const criticality of FILL_ORDER) {
    // Once a class is shed, an excess within the flow's margin is the load's noise (or rounding),
    // not a reason to pass through an empty class into the next one: under a noisy 3x load,
    // CRITICAL crumbs of 1-5 % went in and out every minute.
    if (excess <= 0 || (pressure > 0 && excess < flow.completions * FLOW_MARGIN)) break;
    const cap = caps[criticality];
    const own = offered[criticality] * scale;
    const share = own === 0 ? cap : Math.min(cap, excess / own);
    pressure += share;
    excess -= share * own;
  }
  return Math.ceil(pressure * 1000) / 1000;
}

/**
 * Whether a backlog is gone (the flow known and confirmed): at most {@link FLOW_MARGIN} of the
 * window's completions wait by the count, and the window is steady (admissions within the margin
 * of completions: a window still draining says the count, which starts at the controller's first
 * tick or at the last settle, missed requests that were waiting).
 */
export function drained(flow: Flow | undefined): boolean {
  if (flow === undefined || !flow.confirmed || growing(flow) || draining(flow)) return false;
  return flow.backlog <= flow.completions * FLOW_MARGIN;
}

/** Weight of one healthy window in the learned ratio of finished operations per admitted request. */
const LEARNING_RATE = 0.1;

/**
 * The cumulative counts of admitted requests and of finished operations at each tick: the flow
 * over the window is the difference between now and the newest tick at least a window old (or
 * the oldest kept), so both counts cover exactly the same span. Not every admitted request needs
 * to be judged (a route without a budget is admitted but never recorded) nor every recorded
 * operation admitted (a route without the middleware): the log learns how many operations finish
 * per admitted request while the service is healthy (1 until then) and states admissions in
 * those units, so only a change from the healthy flow reads as a backlog growing or draining.
 */
export class FlowLog {
  #marks: { readonly atMs: number; readonly admitted: number; readonly finished: number }[] = [];
  #scale = 1;
  #backlog = 0;
  #steadyAtMs = Number.NEGATIVE_INFINITY;
  #confirmed = false;
  /** The flows of the last window's ticks, and of the newest tick at least a window old. */
  #flows: { readonly atMs: number; readonly flow: Flow | undefined }[] = [];

  /**
   * Notes the totals at `nowMs` (requests admitted, operations finished, since start); returns the
   * flow over the `windowMs` ending now, with the admissions in finished operations by the learned
   * ratio (`expected`), or `undefined`
   * when nothing was admitted over it (admission is not counted in this process) or the finished
   * count went back (new windows).
   */
  mark(nowMs: number, admitted: number, finished: number, windowMs: number): Flow | undefined {
    const marks = this.#marks;
    const previous = marks.at(-1) ?? { admitted, finished };
    const finishedSince = finished - previous.finished;
    const admittedSince = (admitted - previous.admitted) * this.#scale;
    this.#backlog = finishedSince < 0 ? 0 : Math.max(0, this.#backlog + admittedSince - finishedSince);
    marks.push({ atMs: nowMs, admitted, finished });
    let from = 0;
    while (from + 1 < marks.length && marks[from + 1]!.atMs <= nowMs - windowMs) from++;
    if (from > 0) this.#marks = marks.slice(from);
    const [then] = this.#marks as [(typeof marks)[number]];
    const arrivals = admitted - then.admitted;
    const completions = finished - then.finished;
    const known = arrivals > 0 && completions >= 0;
    const expected = Math.round(arrivals * this.#scale);
    const flow = {
      arrivals,
      completions,
      expected,
      spanMs: nowMs - then.atMs,
      backlog: Math.round(this.#backlog),
      sinceSteadyMs: nowMs - this.#steadyAtMs,
      confirmed: this.#confirmed,
    };
    const idle = arrivals === 0 && completions === 0;
    const steady = known && !growing(flow) && !draining(flow);
    if (idle || steady) this.#steadyAtMs = nowMs;
    this.#confirmed ||= steady;
    const flows = this.#flows;
    flows.push({ atMs: nowMs, flow: known ? flow : undefined });
    while (flows.length > 1 && flows[1]!.atMs <= nowMs - windowMs) flows.shift();
    return flows.at(-1)!.flow;
  }

  /**
   * The service has been healthy for a window (the judging ratio under the exit ratio): no backlog
   * to speak of, so its count starts over at 0 (a count off by a rounding or a route never judged
   * would otherwise be taken for a backlog that never drains).
   */
  settle(): void {
    this.#backlog = 0;
  }

  /**
   * Learns from the window that ended a window before `nowMs` (the service healthy since): the
   * ratio of operations finished per request admitted moves a tenth of the way to that window's,
   * when both counts are at least `minSamples`. A window is learned from only once the window after it has shown no harm: a
   * backlog building up under a healthy-looking latency (the first tick of a burst) shows in the
   * latency within a window, and learning from it would take the growing backlog for the healthy
   * flow (review15c H1).
   */
  learn(minSamples: number, nowMs: number, windowMs: number): void {
    const [oldest] = this.#flows;
    if (oldest === undefined || oldest.atMs > nowMs - windowMs) return;
    const last = oldest.flow;
    if (last === undefined || last.arrivals < minSamples || last.completions < minSamples) return;
    this.#scale += LEARNING_RATE * (last.completions / last.arrivals - this.#scale);
  }
}
