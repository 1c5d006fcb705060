/** The arithmetic of error budgets, as in the SRE Workbook (chapter "Alerting on SLOs"). */
import type { EventCounts } from './types.ts';

/** Bad events / events; 0 with no events (nothing burns). */
export function errorRatio(counts: EventCounts): number {
  return counts.total === 0 ? 0 : (counts.total - counts.good) / counts.total;
}

/**
 * How fast the budget burns: error ratio / (1 - objective). At 1 the budget lasts exactly one
 * SLO window; at 14.4 a 30-day budget loses 2 % per hour.
 * @example burnRate({ good: 95, total: 100 }, 0.99) // 5 (up to float rounding of 1 - 0.99)
 */
export function burnRate(counts: EventCounts, objective: number): number {
  return errorRatio(counts) / (1 - objective);
}

/**
 * Share of the error budget left: `1 - errorRatio / (1 - objective)` over the SLO window; 1 with
 * no events, 0 when spent, negative when overspent (not clamped below).
 */
export function budgetRemaining(counts: EventCounts, objective: number): number {
  return 1 - burnRate(counts, objective);
}

/**
 * Time until the budget left is spent at `burn`, ms: at burn rate 1 a whole budget lasts one
 * window, so `remaining x windowMs / burn`. A linear projection: errors leaving the window are not
 * credited back. 0 when nothing is left; `undefined` when nothing burns.
 */
export function timeToExhaustionMs(remaining: number, burn: number, windowMs: number): number | undefined {
  if (remaining <= 0) return 0;
  if (!(burn > 0)) return undefined;
  return (remaining * windowMs) / burn;
}
