/**
 * The multi-window, multi-burn-rate alert table of the Google SRE Workbook ("Alerting on SLOs"),
 * as Sloth encodes it for a 30-day period, and Sloth's formula that turns a share of the error
 * budget spent within a long window into a burn-rate factor for any SLO period.
 */
import { promNumber } from './promql.ts';

/** How urgently a burn is worth a human: `page` now, `ticket` within working hours. */
export type BurnSeverity = 'page' | 'ticket';

/** One window pair: alert when both windows burn faster than the pair's factor. */
export interface BurnRateWindow {
  readonly severity: BurnSeverity;
  /** Percent of the whole period's error budget spent within `longWindowMs` that the pair alerts on. */
  readonly errorBudgetPercent: number;
  /** The short window stops the alert soon after the burn has stopped. */
  readonly shortWindowMs: number;
  readonly longWindowMs: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * Page: 2 % of the budget in 1h (5m short window), 5 % in 6h (30m); ticket: 10 % in 1d (2h),
 * 10 % in 3d (6h). For a 30-day period these are the factors 14.4, 6, 3 and 1.
 */
export const BURN_RATE_WINDOWS: readonly BurnRateWindow[] = Object.freeze([
  { severity: 'page', errorBudgetPercent: 2, shortWindowMs: 5 * MINUTE_MS, longWindowMs: HOUR_MS },
  { severity: 'page', errorBudgetPercent: 5, shortWindowMs: 30 * MINUTE_MS, longWindowMs: 6 * HOUR_MS },
  { severity: 'ticket', errorBudgetPercent: 10, shortWindowMs: 2 * HOUR_MS, longWindowMs: DAY_MS },
  { severity: 'ticket', errorBudgetPercent: 10, shortWindowMs: 6 * HOUR_MS, longWindowMs: 3 * DAY_MS },
]);

/** The window the current burn rate (`slo:current_burn_rate:ratio`) is read over. */
export const CURRENT_WINDOW_MS = 5 * MINUTE_MS;

/** Every window an SLI is recorded over, shortest first: 5m, 30m, 1h, 2h, 6h, 1d, 3d. */
export const SLI_WINDOWS_MS: readonly number[] = Object.freeze(
  [
    ...new Set([
      CURRENT_WINDOW_MS,
      ...BURN_RATE_WINDOWS.flatMap((window) => [window.shortWindowMs, window.longWindowMs]),
    ]),
  ].sort((a, b) => a - b),
);

/**
 * The burn rate at which `window` spends its share of the budget of a `periodMs` SLO period,
 * as Sloth computes it: `percent x period / 100 / long window`, rounded to 12 digits
 * (30d: 2 % in 1h gives 14.4). Periods shorter than 30d give smaller factors (a 7d period pages
 * at 3.36); below 3d the ticket pair alerts under a burn rate of 1.
 * @example
 * burnRateFactor(30 * 86_400_000, BURN_RATE_WINDOWS[0]); // 14.4
 */
export function burnRateFactor(periodMs: number, window: BurnRateWindow): number {
  return Number(promNumber((window.errorBudgetPercent * periodMs) / 100 / window.longWindowMs));
}
