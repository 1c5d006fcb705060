/**
 * Per-class sliding windows of duration/budget ratios, the controller's signal: one
 * {@link SlidingWindow} (a DDSketch per slot) per class, created on the class's first sample, so a
 * service holds at most four. Ratios are recorded as they are: 1 is exactly the budget, and the
 * sketch's relative accuracy (1 %) holds from ~1e-300 up, far below any real ratio.
 */
import type { Clock } from '../clock.ts';
import { PERCENTILE_FIELDS, type Percentile, SlidingWindow } from '../window/index.ts';
import type { Criticality } from './criticality.ts';

/** One class's ratios over the window. */
export interface ClassRatio {
  /** The percentile of the class's ratios. */
  readonly ratio: number;
  /** Samples in the window. */
  readonly samples: number;
}

/** Slot resolution: 1 s, or the largest divisor of the window below it (a window of 1.5 s has 500 ms slots). */
function resolutionOf(windowMs: number): number {
  let a = windowMs;
  let b = 1000;
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** The ratio windows of one service's classes. */
export class ClassWindows {
  readonly windowMs: number;
  readonly #clock: Clock;
  readonly #windows = new Map<Criticality, SlidingWindow>();

  /** @param windowMs `admission.windowMs`, rounded to whole ms */
  constructor(windowMs: number, clock: Clock) {
    this.windowMs = Math.max(1, Math.round(windowMs));
    this.#clock = clock;
  }

  /**
   * Records one ratio; never throws. Refused (false): a NaN, negative or infinite ratio, and an end
   * time outside the window or more than one slot after now (a clock far ahead would otherwise
   * push every later sample out of the window).
   */
  record(criticality: Criticality, ratio: number, endMs: number): boolean {
    const nowMs = this.#clock.now();
    const fresh = endMs > nowMs - this.windowMs && endMs <= nowMs + resolutionOf(this.windowMs);
    if (!(ratio >= 0 && ratio < Infinity) || !fresh) return false;
    let window = this.#windows.get(criticality);
    if (window === undefined) {
      window = new SlidingWindow({ windowMs: this.windowMs, resolutionMs: resolutionOf(this.windowMs) });
      this.#windows.set(criticality, window);
    }
    return window.record(ratio, false, endMs);
  }

  /** `percentile` of the class's ratios over the window ending now; `undefined` without samples. */
  read(criticality: Criticality, percentile: Percentile): ClassRatio | undefined {
    const snapshot = this.#windows.get(criticality)?.snapshot(this.#clock.now());
    if (snapshot === undefined || snapshot.count === 0) return undefined;
    return { ratio: snapshot[PERCENTILE_FIELDS[percentile]] as number, samples: snapshot.count };
  }
}
