/**
 * Multi-window, multi-burn-rate alerts (SRE Workbook, "Alerting on SLOs", recommendation 6): an
 * alert needs a long window (significant budget spent) and a short one (still burning). The
 * thresholds come from the share of the budget each pair may spend,
 * `burn = budget share x SLO window / long window`, so a 30-day SLO gets the workbook's table
 * (14.4, 6, 3, 1) and other windows scale; the alert windows themselves stay fixed.
 */
import { BURN_WINDOWS_MS, type BurnWindow, type SloStatus } from '../slo/index.ts';

/** One (long, short) window pair. */
export interface BurnRateAlertWindows {
  readonly severity: 'page' | 'ticket';
  readonly longWindow: BurnWindow;
  readonly shortWindow: BurnWindow;
  /** Share of the SLO window's error budget spent over the long window, in percent. */
  readonly budgetPercent: number;
}

/** The workbook's pairs, pages first: 2 % in 1 h, 5 % in 6 h (page); 10 % in 1 d, 10 % in 3 d (ticket). */
export const MULTI_WINDOW_ALERTS: readonly BurnRateAlertWindows[] = Object.freeze([
  { severity: 'page', longWindow: '1h', shortWindow: '5m', budgetPercent: 2 },
  { severity: 'page', longWindow: '6h', shortWindow: '30m', budgetPercent: 5 },
  { severity: 'ticket', longWindow: '1d', shortWindow: '2h', budgetPercent: 10 },
  { severity: 'ticket', longWindow: '3d', shortWindow: '6h', budgetPercent: 10 },
]);

/**
 * The burn rate above which a pair fires: `budgetPercent / 100 x sloWindowMs / longWindowMs`,
 * computed on integers first so the 30-day table is exact.
 * @example burnRateThreshold(2, 30 * 86_400_000, 3_600_000) // 14.4
 */
export function burnRateThreshold(budgetPercent: number, sloWindowMs: number, longWindowMs: number): number {
  return (budgetPercent * sloWindowMs) / (100 * longWindowMs);
}

/** The pair that fires, with its numbers. */
export interface BurnRateMatch {
  readonly windows: BurnRateAlertWindows;
  readonly threshold: number;
  readonly longBurnRate: number;
  readonly shortBurnRate: number;
}

/** The first pair (pages first) whose long and short burn rates both exceed its threshold. */
export function matchBurnRate(status: SloStatus): BurnRateMatch | undefined {
  for (const windows of MULTI_WINDOW_ALERTS) {
    const threshold = burnRateThreshold(
      windows.budgetPercent,
      status.windowMs,
      BURN_WINDOWS_MS[windows.longWindow],
    );
    const longBurnRate = status.burnRates[windows.longWindow];
    const shortBurnRate = status.burnRates[windows.shortWindow];
    if (longBurnRate > threshold && shortBurnRate > threshold) {
      return { windows, threshold, longBurnRate, shortBurnRate };
    }
  }
  return undefined;
}
