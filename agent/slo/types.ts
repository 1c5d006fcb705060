/** The contract of SLO tracking: what it reads from the agent each tick and the status it reports. */
import type { SeriesKey } from '../budget/types.ts';
import type { SeriesTotals } from '../window/series-totals.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * The windows burn rates are reported over (the SRE Workbook's multi-window alert pairs), ms.
 * @example BURN_WINDOWS_MS['1h'] // 3_600_000
 */
export const BURN_WINDOWS_MS = Object.freeze({
  '5m': 5 * MINUTE_MS,
  '30m': 30 * MINUTE_MS,
  '1h': HOUR_MS,
  '2h': 2 * HOUR_MS,
  '6h': 6 * HOUR_MS,
  '1d': DAY_MS,
  '3d': 3 * DAY_MS,
} as const);

/** One of the keys of {@link BURN_WINDOWS_MS}. */
export type BurnWindow = keyof typeof BURN_WINDOWS_MS;

/** Every {@link BurnWindow}, shortest first. */
export const BURN_WINDOWS = Object.freeze(Object.keys(BURN_WINDOWS_MS) as BurnWindow[]);

/** The counts of one series the tracker reads: its cumulative histogram, count and errors. */
export type SloTotals = Pick<
  SeriesTotals,
  'boundsMs' | 'bucketCounts' | 'errorBucketCounts' | 'count' | 'errorCount'
>;

/** A series as the tracker sees it (a registry `Series` fits). */
export interface SloSeries extends SeriesKey {
  /** Cumulative since the series was created; the object's identity tells series apart. */
  readonly totals: SloTotals;
}

/** Good and total events over a span; fractional at a span's start edge (interpolated). */
export interface EventCounts {
  readonly good: number;
  readonly total: number;
}

/**
 * The state of one SLO for one service. An event is one operation (a phase-less series of the
 * SLO's context and/or operation); it is bad when it took longer than its series' base budget or
 * failed (see `goodEvents`).
 */
export interface SloStatus {
  readonly slo: string;
  /** `service.namespace` of the service; '' when none. */
  readonly namespace: string;
  readonly service: string;
  /** Share of events that must be good, e.g. 0.99. */
  readonly objective: number;
  /** The SLO window, ms (e.g. 30 d). */
  readonly windowMs: number;
  /** Events over the SLO window (or the history held, when shorter). */
  readonly total: number;
  /** Good events over the same span. */
  readonly good: number;
  /**
   * Share of the error budget left over the SLO window: `1 - (bad / total) / (1 - objective)`;
   * 1 with no events, negative once overspent.
   */
  readonly errorBudgetRemaining: number;
  /** Burn rate over each window: error ratio / (1 - objective); 1 spends the budget in one SLO window. */
  readonly burnRates: Readonly<Record<BurnWindow, number>>;
  /**
   * Time until the budget is spent at the current 1 h burn rate, ms: 0 when already spent,
   * `undefined` when nothing burns.
   */
  readonly timeToExhaustionMs: number | undefined;
}

/**
 * The cumulative event counters of one (SLO, service) since the agent started tracking it: the
 * same events {@link SloStatus} windows are computed from.
 */
export interface SloEvents {
  readonly slo: string;
  /** `service.namespace` of the service; '' when none. */
  readonly namespace: string;
  readonly service: string;
  /** Good events (within the series' base budget and not failed) counted since `startMs`. */
  readonly good: number;
  /** Events counted since `startMs`. */
  readonly total: number;
  /** When the counters started from zero, ms since the epoch (the observation that created them). */
  readonly startMs: number;
}
