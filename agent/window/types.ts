/** The percentiles the agent can judge a budget at, from the median to the 99.9th. */
export const PERCENTILES = Object.freeze(['p50', 'p90', 'p95', 'p99', 'p99.9'] as const);

/** One of {@link PERCENTILES}: the percentile a budget is judged at ("p95 under 200 ms"). */
export type Percentile = (typeof PERCENTILES)[number];

/** The {@link WindowSnapshot} field that holds each percentile (`'p99.9'` is not an identifier). */
export type PercentileField = 'p50' | 'p90' | 'p95' | 'p99' | 'p999';

/** Quantile (0..1) of each percentile: `p95` -> 0.95. */
export const QUANTILES: Readonly<Record<Percentile, number>> = Object.freeze({
  p50: 0.5,
  p90: 0.9,
  p95: 0.95,
  p99: 0.99,
  'p99.9': 0.999,
});

/** Snapshot field of each percentile: `'p99.9'` -> `'p999'`, the others keep their name. */
export const PERCENTILE_FIELDS: Readonly<Record<Percentile, PercentileField>> = Object.freeze({
  p50: 'p50',
  p90: 'p90',
  p95: 'p95',
  p99: 'p99',
  'p99.9': 'p999',
});

/** Counts over the queried span; always present, zero when nothing was recorded. */
export interface WindowCounts {
  /** The span this snapshot covers, in ms (the whole window or the `lastMs` sub-window). */
  readonly windowMs: number;
  /** Accepted samples in the span. */
  readonly count: number;
  /** Accepted samples flagged as errors. */
  readonly errorCount: number;
  /** `errorCount / count`; 0 when `count` is 0. */
  readonly errorRate: number;
  /** `count / (windowMs / 1000)`; the newest slot is still filling, so this is slightly low mid-slot. */
  readonly ratePerSecond: number;
}

/** Latencies in ms when the span holds at least one sample (`count > 0`). */
export interface WindowLatencies {
  /** Median, ms (within the sketch's relative accuracy; see `SlidingWindowOptions.relativeAccuracy`). */
  readonly p50: number;
  /** 90th percentile, ms. */
  readonly p90: number;
  /** 95th percentile, ms. */
  readonly p95: number;
  /** 99th percentile, ms. */
  readonly p99: number;
  /** 99.9th percentile, ms. */
  readonly p999: number;
  /** Smallest sample, ms (exact). */
  readonly minMs: number;
  /** Largest sample, ms (exact). */
  readonly maxMs: number;
}

/** Latencies of an empty span: every field is `undefined` (never NaN, never 0). */
export type EmptyWindowLatencies = { readonly [K in keyof WindowLatencies]: undefined };

/** The latency fields of every empty snapshot. */
export const EMPTY_LATENCIES: EmptyWindowLatencies = Object.freeze({
  p50: undefined,
  p90: undefined,
  p95: undefined,
  p99: undefined,
  p999: undefined,
  minMs: undefined,
  maxMs: undefined,
});

/**
 * What a window query returns. Percentiles follow the sketch's definition: the value at rank
 * `floor(q * (count - 1))` of the sorted samples, within the relative accuracy, clamped to
 * [minMs, maxMs]. When `count` is 0 all latency fields are `undefined`; checking one of them
 * narrows the others (`if (s.p95 !== undefined) s.p99` is a `number`).
 */
export type WindowSnapshot = WindowCounts & (WindowLatencies | EmptyWindowLatencies);

/**
 * The quantile (0..1) of a percentile.
 * @example quantileOf('p99.9') // 0.999
 */
export function quantileOf(percentile: Percentile): number {
  return QUANTILES[percentile];
}

/**
 * A snapshot's value at a percentile, in ms; `undefined` when the snapshot is empty.
 * @example percentileValue(window.snapshot(now), 'p95')
 */
export function percentileValue(snapshot: WindowSnapshot, percentile: Percentile): number | undefined {
  return snapshot[PERCENTILE_FIELDS[percentile]];
}
