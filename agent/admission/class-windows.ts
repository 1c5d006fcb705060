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
 * sample goes into one slot and one total. A service finishing too few operations for `minSamples`
 * in the window is read further back, whole windows at a time (window-reach.ts, review15f H3):
 * while it is, each class's samples also go into a ring of {@link MAX_REACH_WINDOWS} windows, and
 * {@link windowMs} is the span read.
 */
import type { Clock } from '../clock.ts';
import { type Percentile, QUANTILES, RunningWindow } from '../window/index.ts';
import type { ClassRequests } from './class-requests.ts';
import { CRITICALITIES, type Criticality, criticalityRank } from './criticality.ts';
import { MAX_REACH_WINDOWS, nextReach, shortAlone } from './window-reach.ts';

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

/** The most slots a ring of windows may hold (the sliding windows' limit). */
const MAX_RING_SLOTS = 3600;

/** The ratio windows of one service's classes. */
export class ClassWindows {
  /** `admission.window`, ms: what a read takes while the service finishes enough in it. */
  readonly baseMs: number;
  readonly #resolutionMs: number;
  readonly #clock: Clock;
  readonly #windows = new Map<Criticality, RunningWindow>();
  /** Windows a ring holds: {@link MAX_REACH_WINDOWS}, fewer where the slots would be too many. */
  readonly #ringWindows: number;
  /** Each class's samples over {@link #ringWindows} windows, kept while the reach may be needed. */
  #rings: Map<Criticality, RunningWindow> | undefined;
  /** Windows read back (1: the window alone). */
  #reach = 1;
  /** The last tick at which the window alone was short or empty: the rings go a ring's span after it. */
  #shortAtMs = 0;
  readonly #requests: ClassRequests | undefined;
  #received = 0;
  #late = 0;
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
    this.baseMs = Math.max(1, Math.round(windowMs));
    this.#resolutionMs = resolutionOf(this.baseMs);
    this.#clock = clock;
    this.#requests = requests;
    const slots = this.baseMs / this.#resolutionMs;
    this.#ringWindows = Math.max(1, Math.min(MAX_REACH_WINDOWS, Math.floor(MAX_RING_SLOTS / slots)));
  }

  /** The span reads take, ms: `admission.window` times the windows read back (see window-reach.ts). */
  get windowMs(): number {
    return this.baseMs * this.#reach;
  }

  /**
   * Sets how far back this tick's reads go (window-reach.ts): rings are kept from the first tick
   * the window alone is short of `minSamples` in the group judging one of `judged` (the class the
   * next step would shed, the most important class shed), until it has had half again as many for
   * a ring's span (a pause with nothing in it does not count); the reach follows while requests arrive
   * (counted over the window, or an operation finished in it), and falls back to the window alone
   * when none did (nothing arrives: old samples judge nothing).
   */
  reach(minSamples: number, judged: readonly Criticality[]): void {
    const nowMs = this.#clock.now();
    const alone = (c: Criticality) => this.#windows.get(c)?.count(nowMs) ?? 0;
    if (this.#ringWindows > 1 && shortAlone(alone, minSamples, judged)) {
      this.#rings ??= new Map();
      this.#shortAtMs = nowMs;
    }
    const rings = this.#rings;
    if (rings === undefined) return;
    const countOver = (c: Criticality, windows: number) =>
      windows === 1 ? alone(c) : (rings.get(c)?.countOver(nowMs, windows * this.baseMs) ?? 0);
    const finishing = CRITICALITIES.some((c) => alone(c) > 0);
    // A pause is no traffic enough to read the window alone: the rings stay through it.
    if (!finishing) this.#shortAtMs = nowMs;
    const asked = this.#requests !== undefined && nowMs - this.#requests.changedAtMs <= this.baseMs;
    const arriving = asked || finishing;
    this.#reach = arriving
      ? nextReach(this.#reach, countOver, minSamples, { most: this.#ringWindows, judged })
      : 1;
    for (const ring of rings.values()) ring.readOver(this.windowMs);
    if (this.#reach === 1 && nowMs - this.#shortAtMs >= this.#ringWindows * this.baseMs)
      this.#rings = undefined;
  }

  /** The windows reads take: each class's ring while reaching back, else its window. */
  #read(): Map<Criticality, RunningWindow> {
    return this.#reach > 1 && this.#rings !== undefined ? this.#rings : this.#windows;
  }

  /** Samples accepted since the windows were created: unchanged between two ticks = nothing new. */
  get received(): number {
    return this.#received;
  }

  /**
   * Records one ratio; never throws. Refused (false): a NaN, negative or infinite ratio, and an end
   * time outside the window or more than one slot after now (a clock far ahead would otherwise
   * push every later sample out of the window). A ratio that ended before the window still counts
   * as finished (review15g M4: its admission was counted; the flow must see it finish).
   */
  record(criticality: Criticality, ratio: number, endMs: number): boolean {
    const nowMs = this.#clock.now();
    if (!(ratio >= 0 && ratio < Infinity)) return false;
    if (endMs <= nowMs - this.baseMs) {
      this.completed(criticality, 1);
      return false;
    }
    if (endMs > nowMs + this.#resolutionMs) return false;
    let window = this.#windows.get(criticality);
    if (window === undefined) {
      window = new RunningWindow({ windowMs: this.baseMs, resolutionMs: this.#resolutionMs });
      this.#windows.set(criticality, window);
    }
    if (!window.record(ratio, endMs)) return false;
    if (this.#rings !== undefined) this.#ring(this.#rings, criticality).record(ratio, endMs);
    this.#received++;
    this.#receivedBy[criticality]++;
    return true;
  }

  #ring(rings: Map<Criticality, RunningWindow>, criticality: Criticality): RunningWindow {
    let ring = rings.get(criticality);
    if (ring === undefined) {
      const windowMs = this.#ringWindows * this.baseMs;
      ring = new RunningWindow({ windowMs, resolutionMs: this.#resolutionMs });
      ring.readOver(this.windowMs);
      rings.set(criticality, ring);
    }
    return ring;
  }

  /**
   * Counts `count` operations of `criticality` that finished too long ago for the window (a late
   * cluster delta, a worker's buckets aged out unshipped): completions for the flow, no sample.
   */
  completed(criticality: Criticality, count: number): void {
    this.#late += count;
    this.#receivedBy[criticality] += count;
  }

  /** Operations counted finished too late for the window since the windows were created. */
  get late(): number {
    return this.#late;
  }

  /**
   * Operations finished since the windows were created, per class: the samples accepted and those
   * too late for the window (the flow's completions: flow-log.ts).
   */
  get receivedBy(): Readonly<Record<Criticality, number>> {
    return this.#receivedBy;
  }

  /** Samples of the class in the window ending now (the samples {@link read} takes). */
  count(criticality: Criticality): number {
    return this.#read().get(criticality)?.count(this.#clock.now()) ?? 0;
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
    const window = this.#read().get(criticality);
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
    for (const [criticality, window] of this.#read())
      if (criticalityRank(criticality) > criticalityRank(pool)) members.push(window);
    const read = RunningWindow.quantileOf(members, this.#clock.now(), QUANTILES[percentile]);
    return read === undefined ? undefined : { ratio: read.value, samples: read.count };
  }
}
