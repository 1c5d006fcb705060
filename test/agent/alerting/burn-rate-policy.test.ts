import { describe, expect, it } from 'vitest';
import { burnRateThreshold, MULTI_WINDOW_ALERTS, matchBurnRate } from '../../../agent/alerting/index.ts';
import { BURN_WINDOWS_MS, type SloStatus } from '../../../agent/slo/index.ts';
import { DAY_MS } from './setup.ts';

const thresholds = (windowMs: number) =>
  MULTI_WINDOW_ALERTS.map((pair) => ({
    severity: pair.severity,
    windows: `${pair.longWindow}/${pair.shortWindow}`,
    threshold: burnRateThreshold(pair.budgetPercent, windowMs, BURN_WINDOWS_MS[pair.longWindow]),
  }));

/** A 30-day status with the given burn rates (the rest 0). */
function statusWith(burnRates: Partial<SloStatus['burnRates']>): SloStatus {
  return {
    slo: 'checkout-latency',
    namespace: '',
    service: 'checkout',
    objective: 0.99,
    windowMs: 30 * DAY_MS,
    total: 1000,
    good: 990,
    errorBudgetRemaining: 0,
    burnRates: { '5m': 0, '30m': 0, '1h': 0, '2h': 0, '6h': 0, '1d': 0, '3d': 0, ...burnRates },
    timeToExhaustionMs: undefined,
  };
}

describe('multi-window burn-rate policy', () => {
  it("should give the SRE Workbook's table for a 30-day SLO exactly", () => {
    expect(thresholds(30 * DAY_MS)).toEqual([
      { severity: 'page', windows: '1h/5m', threshold: 14.4 },
      { severity: 'page', windows: '6h/30m', threshold: 6 },
      { severity: 'ticket', windows: '1d/2h', threshold: 3 },
      { severity: 'ticket', windows: '3d/6h', threshold: 1 },
    ]);
  });

  it('should scale the thresholds with the SLO window (same budget share per alert window)', () => {
    expect(thresholds(28 * DAY_MS).map((row) => row.threshold)).toEqual([13.44, 5.6, 2.8, 28 / 30]);
    expect(thresholds(7 * DAY_MS).map((row) => row.threshold)).toEqual([3.36, 1.4, 0.7, 7 / 30]);
  });

  it('should need both windows of a pair above the threshold, strictly, pages first', () => {
    const [fastPage, slowPage, fastTicket, slowTicket] = MULTI_WINDOW_ALERTS;
    expect(matchBurnRate(statusWith({ '1h': 14.5, '5m': 14.4 }))).toBeUndefined();
    expect(matchBurnRate(statusWith({ '1h': 14.5, '5m': 20 }))).toEqual({
      windows: fastPage,
      threshold: 14.4,
      longBurnRate: 14.5,
      shortBurnRate: 20,
    });
    expect(matchBurnRate(statusWith({ '6h': 7, '30m': 6.5, '1d': 4, '2h': 4 }))?.windows).toBe(slowPage);
    expect(matchBurnRate(statusWith({ '1d': 4, '2h': 4, '3d': 2, '6h': 2 }))?.windows).toBe(fastTicket);
    expect(matchBurnRate(statusWith({ '3d': 1.01, '6h': 2 }))?.windows).toBe(slowTicket);
    expect(matchBurnRate(statusWith({ '3d': 1, '6h': 2 }))).toBeUndefined();
  });
});
