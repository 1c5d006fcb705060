/**
 * The judging signal smoothed over one step delay (review15b N12). A window percentile jitters
 * from tick to tick (a slow second, a GC pause, a dependency), and an effect test that compares
 * single ticks takes every dip for an effect of shedding and every peak for new load: with 5-20 %
 * of such noise the ramp never stalls, and shedding that does not help winds up to every cap. The
 * ramp therefore judges the mean of the judging ratios over the last `admission.window` plus a
 * tick (the time a step needs to show), so a fall counts only once it has lasted that long, and
 * decides "new load" by the requests counted over the window, not by the latency.
 */

/** The load must grow by this fraction (20 %, beyond a count's own noise) to be new load. */
const LOAD_MARGIN = 0.2;

/** One tick's judging ratio. */
export interface Reading {
  readonly atMs: number;
  readonly ratio: number;
}

/** What the ramp reads in one tick. */
export interface Trend {
  /** The mean of the judging ratios over the last step delay, this tick's included. */
  readonly ratio: number;
  /**
   * Requests over the window: admitted by this process's `admit()` where it counts them, else
   * operations finished (the samples); what "new load" is measured on.
   */
  readonly load: number;
  /**
   * Whether the backlog grows (more admitted than finish: see admission-flow.ts); `undefined` where
   * admissions are not counted here (collector mode).
   */
  readonly growing: boolean | undefined;
}

/** The readings of the last `delayMs` ending at `nowMs`, with `ratio` added, and their mean. */
export function smooth(
  readings: readonly Reading[] | undefined,
  ratio: number,
  nowMs: number,
  delayMs: number,
): { readonly readings: readonly Reading[]; readonly mean: number } {
  const kept = (readings ?? []).filter((r) => nowMs - r.atMs < delayMs && r.atMs < nowMs);
  const next = [...kept, { atMs: nowMs, ratio }];
  const mean = next.reduce((sum, r) => sum + r.ratio, 0) / next.length;
  return { readings: next, mean: Math.round(mean * 1e6) / 1e6 };
}

/** Whether `load` is new load over `checkLoad` (the load when the ramp last took stock). */
export function newLoad(load: number, checkLoad: number | undefined): boolean {
  return checkLoad !== undefined && load > checkLoad * (1 + LOAD_MARGIN);
}
