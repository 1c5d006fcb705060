import { exactMs } from '../budget/exact-decimal.ts';
import { isFiniteNumber, isNumberArray, isRecord } from '../durable-state.ts';

/** The counts of a {@link SeriesTotals} as plain JSON-able data (a cluster worker's delta). */
export interface TotalsCounts {
  /** The bucket bounds, ms: counts add only into totals with the same ones. */
  readonly boundsMs: readonly number[];
  /** Samples per bucket, `boundsMs.length + 1` entries (the last for +Inf). */
  readonly buckets: readonly number[];
  readonly errorBuckets: readonly number[];
  readonly count: number;
  /** Sum of durations, ms. */
  readonly sumMs: number;
  readonly errorCount: number;
}

/**
 * Cumulative counts of one series since it was created, for exporters: a histogram over fixed
 * bounds (every configured budget is a bound, so "within budget" is exact in PromQL), the count,
 * sum and errors, and how many evaluations found it in violation. Monotonic: never reset.
 */
export class SeriesTotals {
  /** Upper bounds of the buckets, ms, ascending; the last bucket (+Inf) is implicit. */
  readonly boundsMs: readonly number[];
  /** Samples per bucket (not cumulative); `boundsMs.length + 1` entries, the last for +Inf. */
  readonly bucketCounts: Float64Array;
  /** The errors among {@link bucketCounts}, per bucket: "good" (fast and ok) is then exact. */
  readonly errorBucketCounts: Float64Array;
  count = 0;
  /** Sum of durations, ms. */
  sumMs = 0;
  errorCount = 0;
  /** Evaluation ticks whose verdict for this series was `violated`. */
  violations = 0;
  #lastBucket = 0;

  constructor(boundsMs: readonly number[]) {
    this.boundsMs = boundsMs;
    this.bucketCounts = new Float64Array(boundsMs.length + 1);
    this.errorBucketCounts = new Float64Array(boundsMs.length + 1);
  }

  /** Adds one accepted sample; callers pass only durations the window accepted. */
  record(durationMs: number, isError: boolean): void {
    const index = this.#bucketOf(durationMs);
    this.bucketCounts[index] = (this.bucketCounts[index] as number) + 1;
    this.count++;
    this.sumMs += durationMs;
    if (isError) {
      this.errorCount++;
      this.errorBucketCounts[index] = (this.errorBucketCounts[index] as number) + 1;
    }
  }

  /** The counts (violations left out: they are the judge's, not the samples'). */
  counts(): TotalsCounts {
    return {
      boundsMs: this.boundsMs,
      buckets: [...this.bucketCounts],
      errorBuckets: [...this.errorBucketCounts],
      count: this.count,
      sumMs: this.sumMs,
      errorCount: this.errorCount,
    };
  }

  /**
   * Adds counts taken elsewhere (see {@link counts}) to these totals. Never throws: counts that
   * are malformed or of other bounds are refused, returning false, and nothing is added.
   */
  addCounts(value: unknown): boolean {
    if (!isTotalsCounts(value, this.boundsMs)) return false;
    value.buckets.forEach((n, i) => {
      this.bucketCounts[i] = (this.bucketCounts[i] as number) + n;
    });
    value.errorBuckets.forEach((n, i) => {
      this.errorBucketCounts[i] = (this.errorBucketCounts[i] as number) + n;
    });
    this.count += value.count;
    this.sumMs += value.sumMs;
    this.errorCount += value.errorCount;
    return true;
  }

  /** Index of the bucket of `durationMs` (bounds are `le`, inclusive); the last one hit is tried first. */
  #bucketOf(durationMs: number): number {
    const bounds = this.boundsMs;
    const hint = this.#lastBucket;
    // Latencies of one series cluster: most samples fall in the bucket of the previous one.
    if (
      (hint === 0 || (bounds[hint - 1] as number) < durationMs) &&
      (hint === bounds.length || durationMs <= (bounds[hint] as number))
    ) {
      return hint;
    }
    let low = 0;
    let high = bounds.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((bounds[mid] as number) < durationMs) low = mid + 1;
      else high = mid;
    }
    this.#lastBucket = low;
    return low;
  }
}

function isTotalsCounts(value: unknown, boundsMs: readonly number[]): value is TotalsCounts {
  if (!isRecord(value) || !isNumberArray(value.boundsMs) || !isNumberArray(value.buckets, 0)) return false;
  const buckets = boundsMs.length + 1;
  return (
    value.boundsMs.length === boundsMs.length &&
    value.boundsMs.every((bound, i) => bound === boundsMs[i]) &&
    value.buckets.length === buckets &&
    isNumberArray(value.errorBuckets, 0) &&
    value.errorBuckets.length === buckets &&
    [value.count, value.sumMs, value.errorCount].every((n) => isFiniteNumber(n) && n >= 0)
  );
}

/** Default histogram bounds, ms, before the configured budgets are added. */
export const DEFAULT_BOUNDS_MS: readonly number[] = Object.freeze([
  1, 2.5, 5, 10, 25, 50, 100, 200, 250, 500, 1000, 2500, 5000, 10_000,
]);

/**
 * Bounds, ms, strictly increasing and unique as exact decimals: the defaults plus every finite,
 * positive budget given, each rounded by {@link exactMs} first, so float noise (`225 x 0.28`)
 * neither adds a second bound beside an equal one (`63`) nor prints as a long fraction.
 */
export function histogramBounds(
  budgetsMs: Iterable<number>,
  defaults: readonly number[] = DEFAULT_BOUNDS_MS,
): number[] {
  const all = new Set<number>();
  for (const bound of [...defaults, ...budgetsMs])
    if (Number.isFinite(bound) && bound > 0) all.add(exactMs(bound));
  return [...all].sort((a, b) => a - b);
}
