/**
 * Per-class sliding windows of duration/budget ratios, the controller's signal: one
 * {@link RunningWindow} (a DDSketch per slot and their running total) per class, created on the
 * class's first sample, so a service holds at most four. A read costs no merge of slot sketches:
 * the running total answers how many samples a class has in the window and its percentile, exactly
 * as a merge of the slots on read would (issue 15, review16 L2: the merges were most of an
 * admission tick). Ratios are recorded as they are: 1 is exactly the budget, and the sketch's
 * relative accuracy (1 %) holds from ~1e-300 up, far below any real ratio. A pool, the samples of
 * every class more important than a class that can be shed read as one (review15b N1/N3: a
 * percentile of 9 CRITICAL_PLUS and 18 CRITICAL samples together, where neither has `minSamples`
 * alone), is read by merging those classes' totals (exactly: same sketch bins), not kept apart: a
 * sample goes into one slot and one total.
 */
import type { Clock } from '../clock.ts';
import { type Percentile, QUANTILES, RunningWindow } from '../window/index.ts';
import type { ClassRequests } from './class-requests.ts';
import { type Criticality, criticalityRank } from './criticality.ts';

/** The class a pool is named after: pool `X` holds the samples of every class more important than X. */
export type PoolName = 'SHEDDABLE' | 'SHEDDABLE_PLUS' | 'CRITICAL';

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
  readonly #resolutionMs: number;
  readonly #clock: Clock;
  readonly #windows = new Map<Criticality, RunningWindow>();
  readonly #requests: ClassRequests | undefined;
  #received = 0;
  readonly #receivedBy: Record<Criticality, number> = {
    CRITICAL_PLUS: 0,
    CRITICAL: 0,
    SHEDDABLE_PLUS: 0,
    SHEDDABLE: 0,
  };

  /**
   * @param windowMs `admission.windowMs`, rounded to whole ms
   * @param requests the controller's requests per class over the window (see {@link inUse}); none: samples alone tell
   */
  constructor(windowMs: number, clock: Clock, requests?: ClassRequests) {
    this.windowMs = Math.max(1, Math.round(windowMs));
    this.#resolutionMs = resolutionOf(this.windowMs);
    this.#clock = clock;
    this.#requests = requests;
  }

  /** Samples accepted since the windows were created: unchanged between two ticks = nothing new. */
  get received(): number {
    return this.#received;
  }

  /**
   * Records one ratio; never throws. Refused (false): a NaN, negative or infinite ratio, and an end
   * time outside the window or more than one slot after now (a clock far ahead would otherwise
   * push every later sample out of the window).
   */
  record(criticality: Criticality, ratio: number, endMs: number): boolean {
    const nowMs = this.#clock.now();
    const fresh = endMs > nowMs - this.windowMs && endMs <= nowMs + this.#resolutionMs;
    if (!(ratio >= 0 && ratio < Infinity) || !fresh) return false;
    let window = this.#windows.get(criticality);
    if (window === undefined) {
      window = new RunningWindow({ windowMs: this.windowMs, resolutionMs: this.#resolutionMs });
      this.#windows.set(criticality, window);
    }
    if (!window.record(ratio, endMs)) return false;
    this.#received++;
    this.#receivedBy[criticality]++;
    return true;
  }

  /** Samples accepted since the windows were created, per class (the flow's completions: flow-log.ts). */
  get receivedBy(): Readonly<Record<Criticality, number>> {
    return this.#receivedBy;
  }

  /** Samples of the class in the window ending now (the samples {@link read} takes). */
  count(criticality: Criticality): number {
    return this.#windows.get(criticality)?.count(this.#clock.now()) ?? 0;
  }

  /**
   * Whether the class is in use (review16 M3): it has samples in the window, or requests over it
   * (admitted or rejected by this process's `admit()`, or spans naming it in collector mode), so a
   * class whose operations are admitted but not judged is not taken for an empty one.
   */
  inUse(criticality: Criticality): boolean {
    return this.count(criticality) > 0 || (this.#requests?.over(criticality) ?? 0) > 0;
  }

  /** `percentile` of the class's ratios over the window ending now; `undefined` without samples. */
  read(criticality: Criticality, percentile: Percentile): ClassRatio | undefined {
    const window = this.#windows.get(criticality);
    if (window === undefined) return undefined;
    const nowMs = this.#clock.now();
    const ratio = window.quantile(nowMs, QUANTILES[percentile]);
    return ratio === undefined ? undefined : { ratio, samples: window.count(nowMs) };
  }

  /**
   * `percentile` of the ratios of every class more important than `pool`, read together over the
   * window ending now; `undefined` without samples.
   */
  readPool(pool: PoolName, percentile: Percentile): ClassRatio | undefined {
    const members: RunningWindow[] = [];
    for (const [criticality, window] of this.#windows)
      if (criticalityRank(criticality) > criticalityRank(pool)) members.push(window);
    const read = RunningWindow.quantileOf(members, this.#clock.now(), QUANTILES[percentile]);
    return read === undefined ? undefined : { ratio: read.value, samples: read.count };
  }
}
