// Public face of agent/window: per-series sliding windows of DDSketches and their registry.
export type { Series } from './series.ts';
export { OVERFLOW_OPERATION, SeriesRegistry, type SeriesRegistryOptions } from './series-registry.ts';
export { DEFAULT_BOUNDS_MS, histogramBounds, SeriesTotals } from './series-totals.ts';
export {
  MAX_SLOTS,
  type ResolvedSlidingWindowOptions,
  resolveSlidingWindowOptions,
  SlidingWindow,
  type SlidingWindowOptions,
} from './sliding-window.ts';
export {
  type EmptyWindowLatencies,
  PERCENTILE_FIELDS,
  PERCENTILES,
  type Percentile,
  type PercentileField,
  percentileValue,
  QUANTILES,
  quantileOf,
  type WindowCounts,
  type WindowLatencies,
  type WindowSnapshot,
} from './types.ts';
