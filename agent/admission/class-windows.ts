/**
 * Per-class sliding windows of duration/budget ratios, the controller's signal: one
 * {@link SlidingWindow} (a DDSketch per slot) per class, created on the class's first sample, so a
 * service holds at most four, with a running count per slot so how many samples a class has in the
 * window is known without merging its sketches (the law reads a percentile only where it needs
 * one: review15 F7). Ratios are recorded as they are: 1 is exactly the budget, and the
 * sketch's relative accuracy (1 %) holds from ~1e-300 up, far below any real ratio. A pool, the
 * samples of every class more important than a class that can be shed read as one (review15b
 * N1/N3: a percentile of 9 CRITICAL_PLUS and 18 CRITICAL samples together, where neither has
 * `minSamples` alone), is read by merging those classes' windows (exactly: same sketch bins), not
 * kept apart: a sample goes into one sketch, and a class read alone in the same tick is merged
 * into the pool from that read (review16 L2).
 */
import type { Clock } from '../clock.ts';
import { PERCENTILE_FIELDS, type Percentile, QUANTILES, SlidingWindow } from '../window/index.ts';
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

/** Samples per slot of one class: `epochs[i]` is the slot's epoch (time / resolution), `counts[i]` its samples. */
interface SlotCounts {
  readonly epochs: Float64Array;
  readonly counts: Float64Array;
}

/** The ratio windows of one service's classes. */
export class ClassWindows {
  readonly windowMs: number;
  readonly #resolutionMs: number;
  readonly #clock: Clock;
  readonly #windows = new Map<Criticality, SlidingWindow>();
  readonly #counts = new Map<Criticality, SlotCounts>();
  readonly #requests: ClassRequests | undefined;
  #received = 0;
  /** {@link count}'s answers by class rank (NaN: not counted yet) for one slot of now and samples received. */
  readonly #counted = { epoch: Number.NaN, received: 0, counts: new Float64Array(4) };

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
    let slots = this.#counts.get(criticality);
    if (window === undefined || slots === undefined) {
      window = new SlidingWindow({ windowMs: this.windowMs, resolutionMs: this.#resolutionMs });
      this.#windows.set(criticality, window);
      const slotCount = this.windowMs / this.#resolutionMs;
      slots = {
        epochs: new Float64Array(slotCount).fill(Number.NEGATIVE_INFINITY),
        counts: new Float64Array(slotCount),
      };
      this.#counts.set(criticality, slots);
    }
    if (!window.record(ratio, false, endMs)) return false;
    const epoch = Math.floor(endMs / this.#resolutionMs);
    const index = epoch % slots.epochs.length;
    if (slots.epochs[index] !== epoch) {
      slots.epochs[index] = epoch;
      slots.counts[index] = 0;
    }
    slots.counts[index]!++;
    this.#received++;
    return true;
  }

  /**
   * Samples of the class in the window ending now (the slots {@link read} merges), without merging
   * sketches; kept until the slot of now or the samples received change (the law asks several
   * times a tick: review16 L2).
   */
  count(criticality: Criticality): number {
    const newest = Math.floor(this.#clock.now() / this.#resolutionMs);
    const cache = this.#counted;
    if (cache.epoch !== newest || cache.received !== this.#received) {
      cache.epoch = newest;
      cache.received = this.#received;
      cache.counts.fill(Number.NaN);
    }
    const i = criticalityRank(criticality);
    let count = cache.counts[i] as number;
    if (Number.isNaN(count)) cache.counts[i] = count = this.#count(criticality, newest);
    return count;
  }

  #count(criticality: Criticality, newest: number): number {
    const slots = this.#counts.get(criticality);
    if (slots === undefined) return 0;
    const oldest = newest - slots.epochs.length + 1;
    const { epochs, counts } = slots;
    let count = 0;
    for (let i = 0; i < epochs.length; i++) {
      const epoch = epochs[i]!;
      if (epoch >= oldest && epoch <= newest) count += counts[i]!;
    }
    return count;
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
    return ratioOf(this.#windows.get(criticality), this.#clock.now(), percentile);
  }

  /**
   * `percentile` of the ratios of every class more important than `pool`, read together over the
   * window ending now; `undefined` without samples.
   */
  readPool(pool: PoolName, percentile: Percentile): ClassRatio | undefined {
    const members: SlidingWindow[] = [];
    for (const [criticality, window] of this.#windows)
      if (criticalityRank(criticality) > criticalityRank(pool)) members.push(window);
    const read = SlidingWindow.quantileOf(members, this.#clock.now(), QUANTILES[percentile]);
    return read === undefined ? undefined : { ratio: read.value, samples: read.count };
  }
}

function ratioOf(window: SlidingWindow | undefined, nowMs: number, percentile: Percentile) {
  const snapshot = window?.snapshot(nowMs);
  if (snapshot === undefined || snapshot.count === 0) return undefined;
  return {
    ratio: snapshot[PERCENTILE_FIELDS[percentile]] as number,
    samples: snapshot.count,
  } satisfies ClassRatio;
}
