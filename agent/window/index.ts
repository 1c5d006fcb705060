// Public face of agent/window: per-series sliding windows of DDSketches and their registry.
export type { Series } from './series.ts';
export { OVERFLOW_OPERATION, SeriesRegistry } from './series-registry.ts';
export { DEFAULT_BOUNDS_MS, histogramBounds, SeriesTotals } from './series-totals.ts';
export { SlidingWindow } from './sliding-window.ts';
export {
  PERCENTILE_FIELDS,
  PERCENTILES,
  type Percentile,
  percentileValue,
  QUANTILES,
  quantileOf,
  type WindowSnapshot,
} from './types.ts';
