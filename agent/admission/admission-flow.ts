/**
 * Whether the service keeps up with what admission lets in (review15b N2): requests admitted over
 * `admission.window` against operations finished over it (the samples of the windows). A backlog
 * drains while fewer requests are admitted than finish, whatever the latency of the ones finishing
 * says (a FIFO's latency at completion goes on rising for as long as a request waited, after the
 * queue has begun to shrink): Little's law, the way Netflix concurrency-limits and Envoy reason
 * about in-flight work rather than latency alone. Known only where `admit()` runs in this process;
 * in collector mode (no admission counted here) the flow is unknown and the law goes by the signal.
 */

/** A flow counts as draining, or growing, when admissions are 5 % under, or over, completions. */
const FLOW_MARGIN = 0.05;

/** Requests admitted and operations finished over the window. */
export interface Flow {
  readonly arrivals: number;
  readonly completions: number;
  /** The operations the admissions should finish as while healthy (see {@link FlowLog}). */
  readonly expected: number;
}

/** Whether the backlog drains: admissions known and 5 % under completions (in finished operations). */
export function draining(flow: Flow | undefined): boolean {
  return flow !== undefined && flow.expected < flow.completions * (1 - FLOW_MARGIN);
}

/** Whether the backlog grows: admissions known and 5 % over completions (in finished operations). */
export function growing(flow: Flow | undefined): boolean {
  return flow !== undefined && flow.expected > flow.completions * (1 + FLOW_MARGIN);
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
  #last: Flow | undefined;

  /**
   * Notes the totals at `nowMs` (requests admitted, operations finished, since start); returns the
   * flow over the `windowMs` ending now, with the admissions in finished operations by the learned
   * ratio (`expected`), or `undefined`
   * when nothing was admitted over it (admission is not counted in this process) or the finished
   * count went back (new windows).
   */
  mark(nowMs: number, admitted: number, finished: number, windowMs: number): Flow | undefined {
    const marks = this.#marks;
    marks.push({ atMs: nowMs, admitted, finished });
    let from = 0;
    while (from + 1 < marks.length && marks[from + 1]!.atMs <= nowMs - windowMs) from++;
    if (from > 0) this.#marks = marks.slice(from);
    const [then] = this.#marks as [(typeof marks)[number]];
    const arrivals = admitted - then.admitted;
    const completions = finished - then.finished;
    const known = arrivals > 0 && completions >= 0;
    this.#last = known ? { arrivals, completions, expected: Math.round(arrivals * this.#scale) } : undefined;
    return this.#last;
  }

  /**
   * Learns from the last window (the service healthy: no backlog): the ratio of operations
   * finished per request admitted moves a tenth of the way to this window's, when both counts are
   * at least `minSamples`.
   */
  learn(minSamples: number): void {
    const last = this.#last;
    if (last === undefined || last.arrivals < minSamples || last.completions < minSamples) return;
    this.#scale += LEARNING_RATE * (last.completions / last.arrivals - this.#scale);
  }
}
