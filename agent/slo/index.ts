// Public face of agent/slo: service-level objectives computed from the series' cumulative totals.
export { defaultTiers } from './cumulative-history.ts';
export type { SampleTier } from './sample-ring.ts';
export { budgetRemaining, burnRate, errorRatio, timeToExhaustionMs } from './slo-math.ts';
export { SloTracker, type SloTrackerOptions } from './slo-tracker.ts';
export {
  BURN_WINDOWS,
  BURN_WINDOWS_MS,
  type BurnWindow,
  type EventCounts,
  type SloEvents,
  type SloSeries,
  type SloStatus,
  type SloTotals,
} from './types.ts';
