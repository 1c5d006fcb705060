/**
 * The counts behind {@link Flow} (admission-flow.ts), class by class (review15e H3): not every
 * admitted request is judged (a route without a budget is admitted, as CRITICAL when it names no
 * class, and never recorded) nor every recorded operation admitted (a route without the
 * middleware). The log learns, per class, how many operations finish per admitted request while
 * the service is healthy, and states each class's admissions in those units: shedding a class
 * then takes off exactly its own share, where one ratio for the whole mix read a third more
 * admissions than completions for as long as SHEDDABLE (all judged) was shed and the unjudged
 * CRITICAL requests stayed ("easing hurt, the backlog grows" for good after any overload).
 */

import { draining, type Flow, growing } from './admission-flow.ts';
import { CRITICALITIES, type Criticality } from './criticality.ts';
import { runPace, type ShortRun, shortRun } from './flow-evidence.ts';

/** Counts per class, since start. */
export type ClassCounts = Readonly<Record<Criticality, number>>;

/** Weight of one healthy window in a class's learned ratio of finished operations per admitted request. */
const LEARNING_RATE = 0.1;

interface Mark {
  readonly atMs: number;
  readonly admitted: ClassCounts;
  readonly finished: ClassCounts;
}

/** What the controller counted by a tick, per class, since start, and over the window (`offered`). */
export interface TickCounts {
  /** Requests this process's `admit()` admitted, since start. */
  readonly admitted: ClassCounts;
  /** Operations recorded, since start. */
  readonly finished: ClassCounts;
  /** Requests offered to `admit()` over the window (admitted or rejected: class-requests.ts). */
  readonly offered: ClassCounts;
}

/** One window's counts per class. */
interface Counts {
  readonly admitted: ClassCounts;
  readonly finished: ClassCounts;
}

const ZERO: ClassCounts = { CRITICAL_PLUS: 0, CRITICAL: 0, SHEDDABLE_PLUS: 0, SHEDDABLE: 0 };

function minus(a: ClassCounts, b: ClassCounts): Record<Criticality, number> {
  const out = { ...ZERO };
  for (const c of CRITICALITIES) out[c] = a[c] - b[c];
  return out;
}

function sum(counts: ClassCounts, classes: readonly Criticality[] = CRITICALITIES): number {
  return classes.reduce((total, c) => total + counts[c], 0);
}

/**
 * The cumulative counts per class of admitted requests and of finished operations at each tick:
 * the flow over the window is the difference between now and the newest tick at least a window
 * old (or the oldest kept), so both counts cover exactly the same span.
 */
export class FlowLog {
  #marks: Mark[] = [];
  /** Learned operations finished per admitted request, per class; absent until learned. */
  readonly #scales: Partial<Record<Criticality, number>> = {};
  #backlog = 0;
  #steadyAtMs = Number.NEGATIVE_INFINITY;
  /** The first of the ticks ending now whose window grew; `undefined` when this one did not. */
  #growingAtMs: number | undefined;
  #confirmed = false;
  /** The run of ticks finishing at a steady rate under their admissions (flow-evidence.ts shortRun). */
  #short: ShortRun | undefined;
  /** The counts and flows of the last window's ticks, and of the newest tick at least a window old. */
  #flows: { readonly atMs: number; readonly counts: Counts; readonly flow: Flow | undefined }[] = [];

  /**
   * Notes the totals per class at `nowMs` (requests admitted, operations finished, since start);
   * returns the flow over the `windowMs` ending now, admissions stated in finished operations
   * class by class (learned: {@link learn}), or `undefined` when nothing was admitted over it (admission
   * is not counted in this process) or a finished count went back (new windows). `minSamples`:
   * the admissions and completions a class needs over the window to corroborate a growth.
   */
  mark(nowMs: number, counts: TickCounts, windowMs: number, minSamples: number): Flow | undefined {
    const { admitted, finished } = counts;
    const marks = this.#marks;
    const previous = marks.at(-1) ?? { admitted, finished };
    marks.push({ atMs: nowMs, admitted: { ...admitted }, finished: { ...finished } });
    let from = 0;
    while (from + 1 < marks.length && marks[from + 1]!.atMs <= nowMs - windowMs) from++;
    if (from > 0) this.#marks = marks.slice(from);
    const [then] = this.#marks as [Mark];
    const over = { admitted: minus(admitted, then.admitted), finished: minus(finished, then.finished) };
    const back = CRITICALITIES.some((c) => finished[c] < previous.finished[c]);
    const scales = { ...ZERO };
    for (const c of CRITICALITIES) scales[c] = this.#scales[c] ?? 1;
    // A class never admitted here (only recorded: its `admit()` runs in no process of this
    // controller) is no part of what admission lets in: its completions do not count.
    const counted = CRITICALITIES.filter((c) => admitted[c] > 0);
    const arrivals = sum(over.admitted);
    const completions = sum(over.finished, counted);
    const tick = {
      admitted: minus(admitted, previous.admitted),
      finished: minus(finished, previous.finished),
    };
    const tickExpected = counted.reduce((total, c) => total + tick.admitted[c] * scales[c], 0);
    const tickFinished = sum(tick.finished, counted);
    this.#backlog = back ? 0 : Math.max(0, this.#backlog + tickExpected - tickFinished);
    const tickMs = nowMs - (marks.at(-2)?.atMs ?? nowMs);
    this.#short = shortRun(this.#short, nowMs, {
      expected: tickExpected,
      finished: tickFinished,
      ms: tickMs,
    });
    const known = arrivals > 0 && !back && CRITICALITIES.every((c) => over.finished[c] >= 0);
    const expected = Math.round(counted.reduce((total, c) => total + over.admitted[c] * scales[c], 0));
    const flow: Flow = {
      arrivals,
      completions,
      expected,
      shared: Math.round(this.#shared(over, counts.offered, scales, minSamples)),
      scales,
      spanMs: nowMs - then.atMs,
      backlog: Math.round(this.#backlog),
      sinceSteadyMs: nowMs - this.#steadyAtMs,
      growingMs: 0,
      shortMs: this.#short === undefined ? 0 : nowMs - this.#short.sinceMs,
      pace: runPace(this.#short, nowMs - then.atMs, completions),
      confirmed: this.#confirmed,
    };
    const idle = arrivals === 0 && completions === 0;
    const steady = known && !growing(flow) && !draining(flow);
    if (idle || steady) this.#steadyAtMs = nowMs;
    this.#confirmed ||= steady;
    this.#growingAtMs = known && growing(flow) ? (this.#growingAtMs ?? nowMs) : undefined;
    const growingMs = this.#growingAtMs === undefined ? 0 : nowMs - this.#growingAtMs;
    const flows = this.#flows;
    flows.push({ atMs: nowMs, counts: over, flow: known ? { ...flow, growingMs } : undefined });
    while (flows.length > 1 && flows[1]!.atMs <= nowMs - windowMs) flows.shift();
    return flows.at(-1)!.flow;
  }

  /**
   * The admissions over the window in finished operations, each class's growth cut to what the
   * other classes corroborate ({@link Flow.shared}): a backlog in a shared service delays every
   * class through it (a FIFO finishes each class in the share it was admitted in), while a burst
   * on a route whose requests are never judged (a crawler on an endpoint without a budget) raises
   * its class's admissions and nothing else. So where at least two classes have `minSamples`
   * offered and finished over the window, a class's admissions read no further over its
   * completions than the requests offered to another (admitted or shed: shedding a class lowers
   * what it lets in, not what waits ahead of it) over that class's completions, or level with
   * them when no other class is behind.
   */
  #shared(over: Counts, offered: ClassCounts, scales: ClassCounts, minSamples: number): number {
    const { admitted, finished } = over;
    const own = CRITICALITIES.map((c) => admitted[c] * scales[c]);
    const behind = CRITICALITIES.filter((c) => offered[c] >= minSamples && finished[c] >= minSamples);
    if (behind.length < 2) return own.reduce((total, ops) => total + ops, 0);
    const lag = (c: Criticality, requests: number) => (requests * scales[c]) / finished[c];
    return CRITICALITIES.reduce((total, c, i) => {
      if (!behind.includes(c)) return total + own[i]!;
      const most = Math.max(1, ...behind.filter((o) => o !== c).map((o) => lag(o, offered[o])));
      return total + Math.min(own[i]!, most * finished[c]);
    }, 0);
  }

  /**
   * The service has been healthy for a window (the judging ratio under the exit ratio): no backlog
   * to speak of, so its count starts over at 0 (a count off by a rounding or a route never judged
   * would otherwise be taken for a backlog that never drains); unless the window finished fewer
   * than `minSamples` operations: nothing judged is no health (review15e H2: a dependency slowing
   * to 8 s finishes nothing for 8 s, its windows empty, and the count of the requests in flight,
   * which tells how long they have waited, went back to 0).
   */
  settle(minSamples: number): void {
    const last = this.#flows.at(-1)?.flow;
    if (last !== undefined && last.completions < minSamples) return;
    this.#backlog = 0;
  }

  /**
   * Learns from the window that ended a window before `nowMs` (the service healthy since): each
   * class's ratio of operations finished per request admitted moves a tenth of the way to that
   * window's, when the class had at least `minSamples` admitted and the service finished at least
   * `minSamples` (a class whose requests are never judged learns 0). A window is learned from only
   * once the window after it has shown no harm: a backlog building up under a healthy-looking
   * latency (the first tick of a burst) shows in the latency within a window, and learning from
   * it would take the growing backlog for the healthy flow (review15c H1).
   */
  learn(minSamples: number, nowMs: number, windowMs: number): void {
    const [oldest] = this.#flows;
    if (oldest === undefined || oldest.atMs > nowMs - windowMs || oldest.flow === undefined) return;
    const { admitted, finished } = oldest.counts;
    if (oldest.flow.completions < minSamples) return;
    for (const c of CRITICALITIES) {
      if (admitted[c] < minSamples) continue;
      const scale = this.#scales[c] ?? 1;
      this.#scales[c] = scale + LEARNING_RATE * (finished[c] / admitted[c] - scale);
    }
  }
}
