// Public face of agent/window: per-series sliding windows of DDSketches and their registry.
export { DeltaSlots } from './delta-slots.ts';
export { RunningWindow } from './running-window.ts';
export type { Series } from './series.ts';
export { OVERFLOW_OPERATION, SeriesRegistry } from './series-registry.ts';
export { DEFAULT_BOUNDS_MS, histogramBounds, SeriesTotals, type TotalsCounts } from './series-totals.ts';
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
export { type SlotState, WINDOW_STATE_VERSION } from './window-state.ts';
