/**
 * Which classes have requests over the window (review16 M3): a class whose operations are not
 * judged (a route without a budget, work never recorded) has no sample, yet it is not empty when
 * requests of it arrive, and the frontier must not pass it at once (admission-signal.ts
 * frontierOf). Two sources count a request: this process's `admit()` (the admitted and rejected
 * counts of class-counters.ts), and, in collector mode where `admit()` runs in the service, each
 * received span whose `headroom.criticality` names the class ({@link ClassRequests.add}, fed by the
 * span ingestion). The log keeps the cumulative counts at each tick where they changed; the
 * requests over the window are the difference between the newest mark and the newest mark at
 * least a window old (or the log's start, at 0), as admission-flow.ts counts admissions. Easing
 * reads the same counts as the load offered to `admit()` ({@link ClassRequests.offered}) to size a
 * step back by the admissions each eased step added (admission-easing.ts).
 */
import { CRITICALITIES, type Criticality } from './criticality.ts';

/** Requests offered over the window per class (admitted plus rejected). */
export type OfferedLoad = Readonly<Record<Criticality, number>>;

/** Cumulative requests per class at one tick, in {@link CRITICALITIES} order. */
interface Mark {
  readonly atMs: number;
  readonly totals: readonly number[];
}

/** Requests per class over the window, as of the last {@link ClassRequests.mark}. */
export class ClassRequests {
  readonly #seen: Record<Criticality, number> = {
    CRITICAL_PLUS: 0,
    CRITICAL: 0,
    SHEDDABLE_PLUS: 0,
    SHEDDABLE: 0,
  };
  readonly #marks: Mark[];
  /** The totals at the last mark, and at the mark the window starts from. */
  readonly #now = [0, 0, 0, 0];
  #base: readonly number[] = [0, 0, 0, 0];

  /** @param startMs when counting starts: every count is 0 there */
  constructor(startMs: number) {
    this.#marks = [{ atMs: startMs, totals: [0, 0, 0, 0] }];
  }

  /** Counts `count` requests of `criticality` seen elsewhere (collector mode: spans naming the class). */
  add(criticality: Criticality, count: number): void {
    this.#seen[criticality] += count;
  }

  /**
   * Notes, at the tick `nowMs`, the requests this process's `admit()` judged since start per class
   * (`judged`), and takes the requests over the `windowMs` ending now: a mark is kept only when a
   * total changed, so a quiet service keeps one.
   */
  mark(nowMs: number, judged: (criticality: Criticality) => number, windowMs: number): void {
    const marks = this.#marks;
    const last = marks[marks.length - 1] as Mark;
    let changed = false;
    for (let i = 0; i < CRITICALITIES.length; i++) {
      const criticality = CRITICALITIES[i] as Criticality;
      const total = judged(criticality) + this.#seen[criticality];
      this.#now[i] = total;
      changed ||= total !== last.totals[i];
    }
    if (changed) marks.push({ atMs: nowMs, totals: [...this.#now] });
    // A handful of marks (one per tick with requests, over one window): shift() is cheap here.
    while (marks.length > 1 && (marks[1] as Mark).atMs <= nowMs - windowMs) marks.shift();
    this.#base = (marks[0] as Mark).totals;
  }

  /** The last tick whose mark found new requests (the start when none did), ms. */
  get changedAtMs(): number {
    return (this.#marks[this.#marks.length - 1] as Mark).atMs;
  }

  /** Requests of `criticality` over the window as of the last mark. */
  over(criticality: Criticality): number {
    const i = CRITICALITIES.indexOf(criticality);
    return (this.#now[i] as number) - (this.#base[i] as number);
  }

  /**
   * The requests over the window per class as of the last mark, or `undefined` when there were
   * none (nothing asks admission here: the load is unknown).
   */
  offered(): OfferedLoad | undefined {
    const load = { CRITICAL_PLUS: 0, CRITICAL: 0, SHEDDABLE_PLUS: 0, SHEDDABLE: 0 };
    let total = 0;
    for (const c of CRITICALITIES) total += load[c] = this.over(c);
    return total > 0 ? load : undefined;
  }
}
