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
import { CRITICALITIES, type Criticality } from './criticality.ts';

/** A flow counts as draining, or growing, when admissions are 5 % under, or over, completions. */
export const FLOW_MARGIN = 0.05;

/** Requests admitted and operations finished over the window. */
export interface Flow {
  readonly arrivals: number;
  readonly completions: number;
  /** The operations the admissions should finish as while healthy: the sum of {@link scales} x admitted. */
  readonly expected: number;
  /**
   * Operations finished per admitted request, per class, as learned while healthy (flow-log.ts
   * FlowLog: a route without a budget is admitted and never recorded), a class's growth cut to
   * what the other classes corroborate: shedding a class takes off its own share.
   */
  readonly scales: Readonly<Record<Criticality, number>>;
  /**
   * {@link expected} with each class's growth cut to what the other classes' delay corroborates
   * (review15e H3, flow-log.ts): a backlog in a shared service delays every class, a crawler on a
   * route without a budget grows its class's admissions alone. The early rise goes by this.
   */
  readonly shared: number;
  /** The span the counts cover, ms: the window, or less in a controller's first window. */
  readonly spanMs: number;
  /**
   * Operations admitted and not finished yet (review15c H1), as the counts tell: admissions (in
   * finished operations) less completions, tick by tick since the service was last healthy for a
   * window (see flow-log.ts `settle`), never under 0.
   */
  readonly backlog: number;
  /**
   * ms since the last tick whose window was steady (admissions within {@link FLOW_MARGIN} of
   * completions, or neither: idle); `Infinity` when none was. A growth that began within a window
   * of a steady flow is an onset, not the learned ratio still converging.
   */
  readonly sinceSteadyMs: number;
  /**
   * ms since the first of the ticks ending now whose window grew (admissions over completions by
   * {@link FLOW_MARGIN}): 0 unless this one did. Requests in flight grow for as long as the latency
   * after a step of it or of the admissions, a backlog for as long as the service cannot keep up.
   */
  readonly growingMs: number;
  /**
   * ms since the first of the ticks ending now that each finished operations at a steady rate (within
   * a fifth of the previous one) yet 15 % fewer than admitted: 0 unless the last two ticks did. A
   * service that lost capacity does so for as long as the loss lasts; requests in flight growing
   * after a latency step, or a stall, finish (next to) nothing for a while, then as many as are
   * admitted (review15e H1; flow-log.ts).
   */
  readonly shortMs: number;
  /**
   * The operations the window would finish at the last tick's rate while the ticks finish fewer
   * than they admit ({@link shortMs}), else the completions: a service that just lost capacity
   * finishes at the new rate, the window still holds ticks at the old one (flow-evidence.ts runPace).
   */
  readonly pace: number;
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
 * the learned ratios of operations per request still converging (flow-log.ts), and then the
 * judging ratio itself must be over the exit ratio. 0 before the flow has been steady once
 * ({@link Flow.confirmed}): a growth may then be a route whose requests are never judged. The
 * growth is the one the classes corroborate ({@link Flow.shared}, review15e H3): with the latency
 * still within budget, one class's admissions growing alone is a route never judged, not a queue.
 */
export function aheadRatio(ratio: number, flow: Flow | undefined, windowMs: number): number {
  if (flow === undefined || !flow.confirmed) return 0;
  if (flow.shared <= flow.completions * (1 + FLOW_MARGIN)) return 0;
  if (flow.sinceSteadyMs > windowMs) return ratio;
  return (ratio * flow.shared) / Math.max(flow.completions, 1);
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
  const { scales } = flow;
  const total = CRITICALITIES.reduce((sum, c) => sum + offered[c] * scales[c], 0);
  // Where the ticks finish at a steady rate under their admissions, that rate is the capacity
  // (flow-evidence.ts, criterion 2).
  const capacity = flow.shortMs > 0 ? Math.min(flow.completions, flow.pace) : flow.completions;
  let excess = total - (capacity * (1 - FLOW_MARGIN) - drain);
  let pressure = 0;
  for (const criticality of FILL_ORDER) {
    // Once a class is shed, an excess within the flow's margin is the load's noise (or rounding),
    // not a reason to pass through an empty class into the next one: under a noisy 3x load,
    // CRITICAL crumbs of 1-5 % went in and out every minute.
    if (excess <= 0 || (pressure > 0 && excess < flow.completions * FLOW_MARGIN)) break;
    const cap = caps[criticality];
    const own = offered[criticality] * scales[criticality];
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
