/**
 * SLO coverage: every operation an agent records is counted by the SLOs matching its series,
 * whenever its series was created (before the first tick, between ticks, again after a reset)
 * and whenever the SLO first sees it; only an SLO added by a reload starts from the reload.
 */
import { describe, expect, it } from 'vitest';
import { connectAlerting } from '../../../agent/alerting/index.ts';
import type { Agent, ManualClock } from '../../../agent/index.ts';
import { SloTracker } from '../../../agent/slo/index.ts';
import { configOf, testAgent } from '../../helpers/agent.ts';
import { MINUTE_MS, ROUTINE_SLO, record, routineSeries, setup } from './setup.ts';

const QUOTES = { name: 'quotes', context: 'emergency', objective: '90%' };

/** `count` operations of 10 ms ending within the 400 ms before now, every other one failing. */
function burst(agent: Agent, clock: ManualClock, service: string, count: number): void {
  const end = clock.now();
  for (let i = 0; i < count; i++) {
    agent
      .series({ service, operation: 'quote', context: 'emergency' })
      .record(10, i % 2 === 1, end - (i * 400) / count);
  }
}

function tracked(input = { slos: [QUOTES] }) {
  const { agent, clock } = testAgent(input);
  const slos = new SloTracker({ config: agent.config, clock: agent.clock });
  connectAlerting(agent, { slos });
  return { agent, clock, slos };
}

describe('SLO coverage', () => {
  it('should count a 0.4 s burst of 200 operations, half failing, recorded before the first tick', () => {
    const { agent, clock, slos } = tracked();
    burst(agent, clock, 'checkout', 200);
    agent.tick();
    // Half bad against a 10 % error budget: burn rate 5, the budget overspent four times.
    expect(slos.status('quotes', 'checkout')).toMatchObject({
      total: 200,
      good: 100,
      errorBudgetRemaining: 1 - 0.5 / (1 - 0.9),
      burnRates: { '5m': 0.5 / (1 - 0.9), '1h': 0.5 / (1 - 0.9) },
    });
    expect(slos.events()).toEqual([
      { slo: 'quotes', namespace: '', service: 'checkout', good: 100, total: 200, startMs: clock.now() },
    ]);
  });

  it('should count series created between ticks, for a known service and a new one', () => {
    const { agent, clock, slos } = tracked();
    burst(agent, clock, 'checkout', 10);
    agent.tick();
    clock.advance(1000);
    burst(agent, clock, 'checkout', 20);
    burst(agent, clock, 'search', 40);
    agent
      .series({ service: 'checkout', operation: 'refund', context: 'emergency' })
      .record(80, false, clock.now());
    agent.tick();
    expect(slos.list().map(({ service, good, total }) => ({ service, good, total }))).toEqual([
      { service: 'checkout', good: 15, total: 31 },
      { service: 'search', good: 20, total: 40 },
    ]);
  });

  it('should count a series again from zero after it was evicted and re-created, and after a reset', () => {
    const { clock, tracker } = setup();
    const pay = routineSeries();
    record(pay.totals, 10);
    tracker.observe([pay]);
    clock.advance(MINUTE_MS);
    const payAgain = routineSeries();
    record(payAgain.totals, 3, 2);
    tracker.observe([payAgain]);
    clock.advance(MINUTE_MS);
    // A reset of the same totals object: every counter went down, all of it is new.
    const reset = {
      ...payAgain,
      totals: {
        ...payAgain.totals,
        bucketCounts: new Float64Array(payAgain.totals.bucketCounts.length),
        count: 0,
      },
    };
    tracker.observe([reset]);
    expect(tracker.status('checkout-latency', 'checkout')).toMatchObject({ total: 15, good: 13 });
    expect(tracker.errorRatio('checkout-latency', 'checkout', 2 * MINUTE_MS)).toBe(2 / 5);
  });

  it('should start an SLO added by a reload from the reload, not take in the past at once', () => {
    const { clock, tracker, config } = setup([]);
    const pay = routineSeries();
    record(pay.totals, 0, 100);
    tracker.observe([pay]);
    tracker.reconfigure(configOf({ slos: [ROUTINE_SLO] }));
    clock.advance(MINUTE_MS);
    record(pay.totals, 10);
    tracker.observe([pay]);
    expect(config.slos).toEqual([]);
    expect(tracker.status('checkout-latency', 'checkout')).toMatchObject({ total: 0, good: 0 });
    clock.advance(MINUTE_MS);
    record(pay.totals, 9, 1);
    tracker.observe([pay]);
    expect(tracker.status('checkout-latency', 'checkout')).toMatchObject({ total: 10, good: 9 });
  });
});
