/**
 * The requests offered to this process's `admit()` over `admission.window`, per class (admitted
 * plus rejected): the load the service is asked to carry, whatever shedding lets in. Easing reads
 * it to size a step back by the admissions each eased step added (admission-easing.ts). Known only where `admit()` runs here; in
 * collector mode nothing is offered here and the load is unknown.
 */
import { CRITICALITIES, type Criticality } from './criticality.ts';

/** Requests offered per class over the window. */
export type OfferedLoad = Readonly<Record<Criticality, number>>;

/** The requests offered over the window, all classes together. */
function totalOffered(load: OfferedLoad): number {
  return CRITICALITIES.reduce((sum, c) => sum + load[c], 0);
}

/**
 * The cumulative counts offered at each tick: the load over the window is the difference between
 * now and the newest tick at least a window old (or the oldest kept), as the flow's (admission-flow.ts).
 */
export class OfferedLog {
  #marks: { readonly atMs: number; readonly totals: OfferedLoad }[] = [];

  /**
   * Notes the totals offered at `nowMs` (per class, since start); returns the requests offered over
   * the `windowMs` ending now, or `undefined` when none was (admission is not counted in this process).
   */
  mark(nowMs: number, totals: OfferedLoad, windowMs: number): OfferedLoad | undefined {
    const marks = this.#marks;
    marks.push({ atMs: nowMs, totals });
    let from = 0;
    while (from + 1 < marks.length && marks[from + 1]!.atMs <= nowMs - windowMs) from++;
    if (from > 0) this.#marks = marks.slice(from);
    const [then] = this.#marks as [(typeof marks)[number]];
    const load = { CRITICAL_PLUS: 0, CRITICAL: 0, SHEDDABLE_PLUS: 0, SHEDDABLE: 0 };
    for (const c of CRITICALITIES) load[c] = Math.max(0, totals[c] - then.totals[c]);
    return totalOffered(load) > 0 ? load : undefined;
  }
}
