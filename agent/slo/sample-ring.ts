/**
 * A bounded ring of cumulative (good, total) samples at one resolution: one sample per
 * `resolutionMs` bucket (the newest of the bucket wins), enough buckets to reach `spanMs` back.
 * The very first sample is never replaced (it is the history's origin, until it ages out), so a
 * young history still reaches its start. Storage is three Float64Arrays: 24 bytes per sample.
 */
import { isNumberArray } from '../durable-state.ts';
import type { EventCounts } from './types.ts';

/** The resolution and reach of one {@link SampleRing}. */
export interface SampleTier {
  /** One sample per bucket of this span, ms. */
  readonly resolutionMs: number;
  /** How far back the ring must reach from its newest sample, ms. */
  readonly spanMs: number;
}

/** The samples of a {@link SampleRing}, oldest first, as plain data (times in ms since the epoch). */
export interface RingSamples {
  readonly resolutionMs: number;
  readonly timesMs: readonly number[];
  readonly good: readonly number[];
  readonly total: readonly number[];
}

export class SampleRing {
  readonly resolutionMs: number;
  /**
   * Samples held at most: `ceil(spanMs / resolutionMs) + 2`, so a sample at or before
   * `newest - spanMs` stays once the ring is full.
   */
  readonly capacity: number;
  readonly #timesMs: Float64Array;
  readonly #good: Float64Array;
  readonly #total: Float64Array;
  #start = 0;
  #size = 0;

  constructor(tier: SampleTier) {
    this.resolutionMs = tier.resolutionMs;
    this.capacity = Math.ceil(tier.spanMs / tier.resolutionMs) + 2;
    this.#timesMs = new Float64Array(this.capacity);
    this.#good = new Float64Array(this.capacity);
    this.#total = new Float64Array(this.capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Time of the oldest sample held, ms; `Infinity` when empty. */
  get oldestMs(): number {
    return this.#size === 0 ? Infinity : (this.#timesMs[this.#start] as number);
  }

  /** Adds a sample; it replaces a newest sample of the same bucket (but the first). Times must not decrease. */
  push(atMs: number, counts: EventCounts): void {
    let index: number;
    const newest = this.#size - 1;
    if (this.#size > 1 && this.#bucket(this.#timeAt(newest)) === this.#bucket(atMs)) {
      index = this.#physical(newest);
    } else if (this.#size < this.capacity) {
      index = this.#physical(this.#size++);
    } else {
      index = this.#start;
      this.#start = (this.#start + 1) % this.capacity;
    }
    this.#timesMs[index] = atMs;
    this.#good[index] = counts.good;
    this.#total[index] = counts.total;
  }

  /** The samples held, oldest first. */
  samples(): RingSamples {
    const timesMs: number[] = [];
    const good: number[] = [];
    const total: number[] = [];
    for (let logical = 0; logical < this.#size; logical++) {
      const index = this.#physical(logical);
      timesMs.push(this.#timesMs[index] as number);
      good.push(this.#good[index] as number);
      total.push(this.#total[index] as number);
    }
    return { resolutionMs: this.resolutionMs, timesMs, good, total };
  }

  /**
   * Replaces the content with exported samples; false (content unchanged) when they do not fit:
   * another resolution, more samples than the capacity, unequal lengths, a time that decreases, or
   * a count that is negative or not finite.
   */
  restore(samples: RingSamples): boolean {
    const { timesMs, good, total } = samples;
    const fits =
      samples.resolutionMs === this.resolutionMs &&
      isNumberArray(timesMs) &&
      isNumberArray(good, 0) &&
      isNumberArray(total, 0) &&
      timesMs.length <= this.capacity &&
      good.length === timesMs.length &&
      total.length === timesMs.length &&
      timesMs.every((atMs, i) => i === 0 || atMs >= (timesMs[i - 1] as number));
    if (!fits) return false;
    this.#timesMs.set(timesMs);
    this.#good.set(good);
    this.#total.set(total);
    this.#start = 0;
    this.#size = timesMs.length;
    return true;
  }

  /**
   * The counts at `atMs`, interpolated linearly between the samples around it; clamped to the
   * oldest and newest samples. Call only when the ring holds a sample.
   */
  valueAt(atMs: number): EventCounts {
    // Binary search for the first sample after atMs.
    let low = 0;
    let high = this.#size;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#timeAt(mid) <= atMs) low = mid + 1;
      else high = mid;
    }
    if (low === 0) return this.#countsAt(0);
    if (low === this.#size) return this.#countsAt(this.#size - 1);
    return this.#interpolate(low - 1, low, atMs);
  }

  #interpolate(before: number, after: number, atMs: number): EventCounts {
    const t0 = this.#timeAt(before);
    const share = (atMs - t0) / (this.#timeAt(after) - t0);
    const a = this.#countsAt(before);
    const b = this.#countsAt(after);
    if (share === 0) return a;
    return { good: a.good + (b.good - a.good) * share, total: a.total + (b.total - a.total) * share };
  }

  #countsAt(logical: number): EventCounts {
    const index = this.#physical(logical);
    return { good: this.#good[index] as number, total: this.#total[index] as number };
  }

  #timeAt(logical: number): number {
    return this.#timesMs[this.#physical(logical)] as number;
  }

  #physical(logical: number): number {
    return (this.#start + logical) % this.capacity;
  }

  #bucket(atMs: number): number {
    return Math.floor(atMs / this.resolutionMs);
  }
}
