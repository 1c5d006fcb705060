/**
 * The judging signal smoothed over one step delay (review15b N12). A window percentile jitters
 * from tick to tick (a slow second, a GC pause, a dependency), and an effect test that compares
 * single ticks takes every dip for an effect of shedding and every peak for new load: with 5-20 %
 * of such noise the ramp never stalls, and shedding that does not help winds up to every cap. The
 * ramp therefore judges the mean of the judging ratios over the last `admission.window` plus a
 * tick (the time a step needs to show), so a fall counts only once it has lasted that long, and
 * decides "new load" by the requests counted over the window, not by the latency.
 */

import { round6 } from './admission-law.ts';
import type { CapacitySample } from './capacity-check.ts';

/** The load must grow by this fraction (20 %, beyond a count's own noise) to be new load. */
const LOAD_MARGIN = 0.2;

/** The readings of this many step delays measure the signal's own noise (review16 H2). */
const NOISE_DELAYS = 3;

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
   * The signal's own noise: the standard deviation of the difference of two such means that
   * nothing but the noise tells apart (0 while fewer than 3 readings are kept; see {@link smooth}).
   */
  readonly noise: number;
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
  /**
   * Whether `load` is clearly over the rate the service handled within budget with nothing shed
   * (see healthy-rate.ts): over capacity, so shedding is what brings it back, whatever the latency
   * shows. `undefined` while no healthy rate is known.
   */
  readonly overCapacity: boolean | undefined;
  /**
   * The load against the healthy rate and the finished operations per class, for the check of
   * lost capacity (capacity-check.ts); absent where not taken.
   */
  readonly capacity?: CapacitySample;
}

/**
 * The readings of the last {@link NOISE_DELAYS} step delays ending at `nowMs`, with `ratio` added;
 * the mean of those of the last `delayMs`; and the noise of such a mean (review16 H2), measured
 * as the standard deviation of the differences between successive readings: a smooth trend (the
 * effect of shedding) moves every difference alike and does not count, a jitter does. A window
 * percentile is a moving one (each reading shares most of its samples with the last), so the mean
 * of a step delay's readings is taken as about as noisy as one reading. An effect or new load must
 * stand out of it: with 20 % of noise a second, the mean moves by 7 % or more from one step delay
 * to the next with no cause at all.
 */
export function smooth(
  readings: readonly Reading[] | undefined,
  ratio: number,
  nowMs: number,
  delayMs: number,
): { readonly readings: readonly Reading[]; readonly mean: number; readonly noise: number } {
  const kept = (readings ?? []).filter((r) => nowMs - r.atMs < NOISE_DELAYS * delayMs && r.atMs < nowMs);
  const next = [...kept, { atMs: nowMs, ratio }];
  const recent = next.filter((r) => nowMs - r.atMs < delayMs);
  const mean = recent.reduce((sum, r) => sum + r.ratio, 0) / recent.length;
  const first = next.slice(1).map((r, i) => r.ratio - next[i]!.ratio);
  const second = first.slice(1).map((d, i) => d - first[i]!);
  const noise = (MAD_TO_SD * median(second.map((d) => Math.abs(d - median(second))))) / Math.sqrt(3);
  return { readings: next, mean: round6(mean), noise: round6(noise) };
}

/** A median absolute deviation times this is a normal noise's standard deviation. */
const MAD_TO_SD = 1.4826;

/** The median of `values`; 0 for none. */
function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Whether `load` is new load over `checkLoad` (the load when the ramp last took stock). */
export function newLoad(load: number, checkLoad: number | undefined): boolean {
  return checkLoad !== undefined && load > checkLoad * (1 + LOAD_MARGIN);
}
