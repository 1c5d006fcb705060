/**
 * The recent history of one operation for the live view: a fixed ring of points, one per
 * resolution step (`ui.history`: 10 s x 90 = 15 min by default), kept in one ArrayBuffer (five
 * Float64 columns and one Uint32 column), so its size is known and fixed: {@link HistoryRing.bytesFor}.
 * A step that was never written (the agent did not tick, the series did not exist) reads as `null`,
 * and so does a value the window did not have (an empty window has no percentiles).
 */
import type { HistoryView } from './types.ts';

/** One point as written; `undefined` for a value the window did not have. */
export interface HistoryPoint {
  readonly p50: number | undefined;
  readonly p95: number | undefined;
  readonly p99: number | undefined;
  /** Effective budget at that step, ms; `undefined` when unbudgeted. */
  readonly budgetMs: number | undefined;
  /** Samples in the window at that step. */
  readonly count: number;
}

/** Float64 columns: the step index, then the four values. */
const STEP = 0;
const P50 = 1;
const P95 = 2;
const P99 = 3;
const BUDGET = 4;
const FLOAT_COLUMNS = 5;
const BYTES_PER_POINT = FLOAT_COLUMNS * Float64Array.BYTES_PER_ELEMENT + Uint32Array.BYTES_PER_ELEMENT;

/** Largest count a point keeps (Uint32). */
const MAX_COUNT = 0xffff_ffff;

export class HistoryRing {
  readonly #capacity: number;
  readonly #resolutionMs: number;
  readonly #floats: Float64Array;
  readonly #counts: Uint32Array;
  /** The newest step written; -Infinity before the first. */
  #latestStep = Number.NEGATIVE_INFINITY;

  /**
   * @param capacity points kept (>= 1): `ui.history.length / ui.history.resolution`
   * @param resolutionMs the time between points, ms (> 0)
   */
  constructor(capacity: number, resolutionMs: number) {
    this.#capacity = capacity;
    this.#resolutionMs = resolutionMs;
    const buffer = new ArrayBuffer(HistoryRing.bytesFor(capacity));
    this.#floats = new Float64Array(buffer, 0, capacity * FLOAT_COLUMNS).fill(Number.NaN);
    this.#counts = new Uint32Array(
      buffer,
      capacity * FLOAT_COLUMNS * Float64Array.BYTES_PER_ELEMENT,
      capacity,
    );
  }

  /** Bytes of the typed arrays of a ring of `capacity` points: 44 per point (3960 B for the default 90). */
  static bytesFor(capacity: number): number {
    return capacity * BYTES_PER_POINT;
  }

  /** Bytes this ring's arrays hold. */
  get bytes(): number {
    return this.#floats.byteLength + this.#counts.byteLength;
  }

  /**
   * Writes the point of step `step` (`floor(atMs / resolutionMs)`), replacing what its slot held.
   * A step older than the ring's reach, or not after the newest step written, is ignored.
   */
  write(step: number, point: HistoryPoint): void {
    if (step <= this.#latestStep) return;
    this.#latestStep = step;
    const slot = step % this.#capacity;
    const at = slot * FLOAT_COLUMNS;
    this.#floats[at + STEP] = step;
    this.#floats[at + P50] = point.p50 ?? Number.NaN;
    this.#floats[at + P95] = point.p95 ?? Number.NaN;
    this.#floats[at + P99] = point.p99 ?? Number.NaN;
    this.#floats[at + BUDGET] = point.budgetMs ?? Number.NaN;
    this.#counts[slot] = Math.min(MAX_COUNT, Math.max(0, Math.floor(point.count)));
  }

  /**
   * The points of the steps from the first written one (at most `capacity` back) up to `toStep`
   * (the newest step the view has reached, which may be later than this ring's newest write: a
   * quiet series shows trailing gaps). Empty before the first write.
   */
  read(toStep: number): HistoryView {
    const atMs: number[] = [];
    const columns: (number | null)[][] = [[], [], [], []];
    const count: (number | null)[] = [];
    const from = Math.max(toStep - this.#capacity + 1, this.#firstStep(toStep));
    for (let step = from; step <= toStep; step++) {
      const at = (step % this.#capacity) * FLOAT_COLUMNS;
      const held = this.#floats[at + STEP] === step;
      atMs.push(step * this.#resolutionMs);
      for (let column = 0; column < 4; column++) {
        const value = this.#floats[at + P50 + column] as number;
        (columns[column] as (number | null)[]).push(held && !Number.isNaN(value) ? value : null);
      }
      count.push(held ? (this.#counts[step % this.#capacity] as number) : null);
    }
    const [p50, p95, p99, budgetMs] = columns as [number[], number[], number[], number[]];
    return { atMs, p50, p95, p99, budgetMs, count };
  }

  /** The oldest step still held (the ring's reach from `toStep`), or past `toStep` when none. */
  #firstStep(toStep: number): number {
    let first = Number.POSITIVE_INFINITY;
    for (let slot = 0; slot < this.#capacity; slot++) {
      const step = this.#floats[slot * FLOAT_COLUMNS + STEP] as number;
      if (step > toStep - this.#capacity && step <= toStep && step < first) first = step;
    }
    return first;
  }
}
