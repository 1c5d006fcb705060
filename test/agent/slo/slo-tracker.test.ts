import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SloStatus } from '../../../agent/slo/index.ts';
import type { SloSeries } from '../../../agent/slo/types.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, ROUTINE_SLO, record, routineSeries, setup } from './setup.ts';

/** Burn rate of `bad` of `total` events against a 95 % objective, computed as the tracker does. */
const burn = (bad: number, total: number) => bad / total / (1 - 0.95);

/** Bad events per minute by age (minutes before now), 100 events each minute. */
function badAtAge(age: number): { slow: number; errors: number } {
  if (age < 5) return { slow: 10, errors: 10 };
  if (age < 60) return { slow: 5, errors: 0 };
  if (age < 1440) return { slow: 0, errors: 2 };
  return { slow: 1, errors: 0 };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('SloTracker', () => {
  it('should give exact error ratios and burn rates over every window, the budget left and the time to exhaustion', () => {
    const { clock, tracker } = setup();
    const pay = routineSeries();
    const other = { ...routineSeries('checkout', 'report'), context: 'deliberative' };
    const phase = routineSeries('checkout', 'pay', 'execution');
    record(pay.totals, 40, 10); // before the first observation: counted too (in the 30 d window only)
    const minutes = 4329; // ends on a 10-minute sample, so the 1 d and 3 d windows start on one
    tracker.observe([pay, other, phase], clock.now());
    for (let minute = 1; minute <= minutes; minute++) {
      clock.advance(MINUTE_MS);
      const { slow, errors } = badAtAge(minutes - minute);
      record(pay.totals, 100 - slow - errors, slow, errors);
      record(other.totals, 0, 100);
      record(phase.totals, 0, 100);
      tracker.observe([pay, other, phase], clock.now());
    }
    const expected: SloStatus = {
      slo: 'checkout-latency',
      namespace: '',
      service: 'checkout',
      objective: 0.95,
      windowMs: 30 * DAY_MS,
      total: 432_950,
      good: 432_950 - 6034,
      errorBudgetRemaining: 1 - burn(6034, 432_950),
      burnRates: {
        '5m': burn(100, 500),
        '30m': burn(225, 3000),
        '1h': burn(375, 6000),
        '2h': burn(495, 12_000),
        '6h': burn(975, 36_000),
        '1d': burn(3135, 144_000),
        '3d': burn(6015, 432_000),
      },
      timeToExhaustionMs: ((1 - burn(6034, 432_950)) * 30 * DAY_MS) / burn(375, 6000),
    };
    expect(tracker.status('checkout-latency', 'checkout')).toEqual(expected);
    expect(tracker.list()).toEqual([expected]);
    expect(tracker.errorRatio('checkout-latency', 'checkout', 30 * MINUTE_MS)).toBe(225 / 3000);
    expect(tracker.burnRate('checkout-latency', 'checkout', 2 * HOUR_MS)).toBe(burn(495, 12_000));
  });

  it('should report a full budget and no exhaustion for a service without bad events', () => {
    const { clock, tracker } = setup();
    const pay = routineSeries();
    tracker.observe([pay]);
    clock.advance(MINUTE_MS);
    record(pay.totals, 10);
    tracker.observe([pay]);
    expect(tracker.status('checkout-latency', 'checkout')).toEqual({
      slo: 'checkout-latency',
      namespace: '',
      service: 'checkout',
      objective: 0.95,
      windowMs: 30 * DAY_MS,
      total: 10,
      good: 10,
      errorBudgetRemaining: 1,
      burnRates: { '5m': 0, '30m': 0, '1h': 0, '2h': 0, '6h': 0, '1d': 0, '3d': 0 },
      timeToExhaustionMs: undefined,
    });
    expect(tracker.status('checkout-latency', 'unknown')).toBeUndefined();
    expect(tracker.status('unknown', 'checkout')).toBeUndefined();
    expect(tracker.burnRate('unknown', 'checkout', HOUR_MS)).toBeUndefined();
  });

  it('should report a negative budget and no time left once the budget is overspent', () => {
    const { clock, tracker } = setup();
    const pay = routineSeries();
    tracker.observe([pay]);
    clock.advance(MINUTE_MS);
    record(pay.totals, 80, 20);
    tracker.observe([pay]);
    const status = tracker.status('checkout-latency', 'checkout');
    expect([status?.errorBudgetRemaining, status?.timeToExhaustionMs]).toEqual([1 - burn(20, 100), 0]);
    expect(status?.errorBudgetRemaining).toBeLessThan(0);
  });

  it('should count a series first seen after the first observation from zero, per service', () => {
    const { clock, tracker } = setup();
    tracker.observe([]);
    const pay = routineSeries();
    const refund = routineSeries('refunds', 'refund');
    record(pay.totals, 9, 1);
    record(refund.totals, 3, 0, 1);
    clock.advance(MINUTE_MS);
    tracker.observe([pay, refund]);
    expect(tracker.list().map(({ service, good, total }) => ({ service, good, total }))).toEqual([
      { service: 'checkout', good: 9, total: 10 },
      { service: 'refunds', good: 3, total: 4 },
    ]);
  });

  it('should keep counting across a pruned and re-created series without a spike (per-series resets)', () => {
    const { clock, tracker } = setup();
    const pay = routineSeries();
    const quote = routineSeries('checkout', 'quote');
    tracker.observe([pay, quote]);
    clock.advance(MINUTE_MS);
    record(pay.totals, 1000);
    record(quote.totals, 90, 10);
    tracker.observe([pay, quote]);
    // `pay` is pruned and comes back with fresh totals: the service's sum went down by 1000.
    const payAgain = routineSeries();
    record(payAgain.totals, 5, 5);
    record(quote.totals, 10);
    clock.advance(MINUTE_MS);
    tracker.observe([quote, payAgain]);
    expect(tracker.status('checkout-latency', 'checkout')).toMatchObject({ total: 1120, good: 1105 });
    expect(tracker.errorRatio('checkout-latency', 'checkout', MINUTE_MS)).toBe(5 / 20);
  });

  it('should match an SLO by operation across contexts, and skip phases and series without a budget', () => {
    const slo = { name: 'pay', operation: 'pay', objective: '99%' };
    const { clock, tracker } = setup([slo]);
    const routine = routineSeries();
    const emergency = { ...routineSeries(), context: 'emergency' };
    const unknown = { ...routineSeries(), context: 'nowhere' };
    const phase = routineSeries('checkout', 'pay', 'execution');
    const all: SloSeries[] = [routine, emergency, unknown, phase];
    tracker.observe(all);
    record(routine.totals, 10);
    record(emergency.totals, 10); // 100ms is over the emergency budget (50 ms)
    record(unknown.totals, 10);
    record(phase.totals, 10);
    clock.advance(MINUTE_MS);
    tracker.observe(all);
    expect(tracker.status('pay', 'checkout')).toMatchObject({ total: 20, good: 10 });
  });

  it('should use the base budget given by the caller, the one in force when events are counted', () => {
    let budgetMs = 200;
    const { clock, tracker } = setup([ROUTINE_SLO], { baseBudgetMs: () => budgetMs });
    const pay = routineSeries();
    tracker.observe([pay]);
    record(pay.totals, 10);
    clock.advance(MINUTE_MS);
    tracker.observe([pay]);
    budgetMs = 50;
    record(pay.totals, 10);
    clock.advance(MINUTE_MS);
    tracker.observe([pay]);
    record(pay.totals, 10);
    clock.advance(MINUTE_MS);
    tracker.observe([pay]);
    // The 20 events at 100 ms counted under the 50 ms budget are bad.
    expect(tracker.status('checkout-latency', 'checkout')).toMatchObject({ total: 30, good: 10 });
  });

  it('should keep an SLO history across a reload unless its scope changed, with the new objective', () => {
    const { clock, config, tracker } = setup([
      ROUTINE_SLO,
      { name: 'moved', context: 'routine', objective: '99%' },
    ]);
    const pay = routineSeries();
    tracker.observe([pay]);
    record(pay.totals, 9, 1);
    clock.advance(MINUTE_MS);
    tracker.observe([pay]);
    const next = {
      ...config,
      slos: [
        { ...config.slos[0]!, objective: 0.9 },
        { ...config.slos[1]!, context: 'emergency' },
      ],
    };
    tracker.reconfigure(next);
    expect(tracker.status('checkout-latency', 'checkout')).toMatchObject({
      objective: 0.9,
      total: 10,
      good: 9,
    });
    expect(tracker.status('moved', 'checkout')).toBeUndefined();
  });

  it('should forget a service once nothing changed for longer than its history reaches', () => {
    const { clock, tracker } = setup([{ ...ROUTINE_SLO, window: '1d' }]);
    const pay = routineSeries();
    tracker.observe([pay]);
    for (let hour = 1; hour <= 72; hour++) {
      clock.advance(HOUR_MS);
      tracker.observe([]);
    }
    expect(tracker.list()).toHaveLength(1);
    clock.advance(HOUR_MS);
    tracker.observe([]);
    expect(tracker.list()).toEqual([]);
  });

  it('should never throw: a failing series is logged, a time that is not finite is skipped', () => {
    const error = vi.spyOn(diag, 'error').mockImplementation(() => {});
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const { tracker } = setup();
    const broken = {
      ...routineSeries(),
      get totals(): never {
        throw new Error('boom');
      },
    };
    expect(() => tracker.observe([broken])).not.toThrow();
    expect(() => tracker.observe([], Number.NaN)).not.toThrow();
    expect(error).toHaveBeenCalledWith('headroom: SLO observation failed', new Error('boom'));
    expect(warn).toHaveBeenCalledWith('headroom: SLO observation skipped, time NaN is not finite');
  });
});
