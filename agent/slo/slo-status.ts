/** Turns the history of one (SLO, service) into its {@link SloStatus}. */
import type { ServiceId } from '../service-id.ts';
import type { CumulativeHistory } from './cumulative-history.ts';
import { budgetRemaining, burnRate, timeToExhaustionMs } from './slo-math.ts';
import { BURN_WINDOWS, BURN_WINDOWS_MS, type BurnWindow, type SloStatus } from './types.ts';

/** What a status needs to know of its SLO. */
export interface SloTarget {
  readonly name: string;
  /** Fraction, e.g. 0.99. */
  readonly objective: number;
  /** The SLO window, ms. */
  readonly windowMs: number;
}

/** The status of `slo` for the service `id`, as of the newest sample of `history`. */
export function sloStatus(slo: SloTarget, id: ServiceId, history: CumulativeHistory): SloStatus {
  const overWindow = history.increase(slo.windowMs);
  const burnRates = {} as Record<BurnWindow, number>;
  for (const window of BURN_WINDOWS) {
    burnRates[window] = burnRate(history.increase(BURN_WINDOWS_MS[window]), slo.objective);
  }
  const remaining = budgetRemaining(overWindow, slo.objective);
  return {
    slo: slo.name,
    namespace: id.namespace,
    service: id.service,
    objective: slo.objective,
    windowMs: slo.windowMs,
    total: overWindow.total,
    good: overWindow.good,
    errorBudgetRemaining: remaining,
    burnRates,
    timeToExhaustionMs: timeToExhaustionMs(remaining, burnRates['1h'], slo.windowMs),
  };
}
