import { describe, expect, it } from 'vitest';
import { budgetRemaining, burnRate, errorRatio, timeToExhaustionMs } from '../../../agent/slo/index.ts';

const BUDGET = 1 - 0.99;

describe('SLO arithmetic', () => {
  it('should give the error ratio as bad over total, and 0 without events', () => {
    expect([
      errorRatio({ good: 95, total: 100 }),
      errorRatio({ good: 0, total: 0 }),
      errorRatio({ good: 0, total: 4 }),
    ]).toEqual([0.05, 0, 1]);
  });

  it('should divide the error ratio by the error budget for the burn rate', () => {
    expect(burnRate({ good: 95, total: 100 }, 0.99)).toBe(0.05 / BUDGET);
    expect(burnRate({ good: 0, total: 0 }, 0.99)).toBe(0);
    expect(burnRate({ good: 3, total: 4 }, 0.75)).toBe(1);
  });

  it('should report the budget left, negative once overspent', () => {
    expect([
      budgetRemaining({ good: 0, total: 0 }, 0.75),
      budgetRemaining({ good: 7, total: 8 }, 0.75),
      budgetRemaining({ good: 3, total: 4 }, 0.75),
      budgetRemaining({ good: 1, total: 4 }, 0.75),
    ]).toEqual([1, 0.5, 0, -2]);
  });

  it('should project the time to exhaustion at a burn rate, 0 when spent, undefined when nothing burns', () => {
    const windowMs = 30 * 86_400_000;
    expect(timeToExhaustionMs(0.5, 2, windowMs)).toBe(7.5 * 86_400_000);
    expect(timeToExhaustionMs(1, 14.4, windowMs)).toBe(windowMs / 14.4);
    expect(timeToExhaustionMs(0, 3, windowMs)).toBe(0);
    expect(timeToExhaustionMs(-0.2, 3, windowMs)).toBe(0);
    expect(timeToExhaustionMs(0.5, 0, windowMs)).toBeUndefined();
  });
});
