// Public face of agent/slo: service-level objectives computed from the series' cumulative totals.
export { budgetRemaining, burnRate, errorRatio, timeToExhaustionMs } from './slo-math.ts';
export { SloTracker, type SloTrackerOptions } from './slo-tracker.ts';
export {
  BURN_WINDOWS_MS,
  type BurnWindow,
  type SloEvents,
  type SloSeries,
  type SloStatus,
} from './types.ts';
