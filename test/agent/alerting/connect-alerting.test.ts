import { describe, expect, it } from 'vitest';
import { AlertEvaluator, type AlertEvent, connectAlerting } from '../../../agent/alerting/index.ts';
import { SloTracker } from '../../../agent/slo/index.ts';
import { recordMany, testAgent } from '../../helpers/agent.ts';

const INPUT = {
  slos: [{ name: 'quotes', context: 'emergency', objective: '90%' }],
  alerting: {
    rules: [
      { name: 'slow-quotes', kind: 'percentile' as const, context: 'emergency', warning: '40ms' },
      { name: 'degraded', kind: 'degradation' as const, level: 'SEVERE' as const },
    ],
  },
};

describe('connectAlerting', () => {
  it("should feed the SLO tracker and then the evaluator from the agent's ticks", () => {
    const { agent, clock } = testAgent(INPUT);
    const slos = new SloTracker({ config: agent.config, clock: agent.clock });
    const alerts = new AlertEvaluator({ config: agent.config, slos, clock: agent.clock });
    const events: AlertEvent[] = [];
    alerts.onAlert((event) => events.push(event));
    const disconnect = connectAlerting(agent, { slos, alerts });
    agent.tick();
    clock.advance(1000);
    recordMany(agent, clock, { service: 'checkout', operation: 'quote', context: 'emergency' }, 45, 100);
    agent.degradation('checkout').override('SEVERE', 'drill');
    const { at } = agent.tick();
    expect(events.map((event) => [event.rule, event.status, event.severity, event.labels.service])).toEqual([
      ['slow-quotes', 'firing', 'warning', 'checkout'],
      ['degraded', 'firing', 'warning', 'checkout'],
    ]);
    expect(events[0]?.startsAt).toBe(at);
    // The sketch's relative accuracy is 1 %.
    expect(Math.abs((events[0]?.value ?? 0) - 45)).toBeLessThan(0.45);
    expect(slos.status('quotes', 'checkout')).toMatchObject({
      total: 100,
      good: 100,
      errorBudgetRemaining: 1,
    });
    disconnect();
    clock.advance(1000);
    agent.degradation('checkout').clearOverride('drill over');
    agent.tick();
    expect(events).toHaveLength(2);
  });

  it('should feed the SLO tracker alone when no evaluator is given', () => {
    const { agent, clock } = testAgent(INPUT);
    const slos = new SloTracker({ config: agent.config, clock: agent.clock });
    connectAlerting(agent, { slos });
    agent.tick();
    clock.advance(1000);
    recordMany(agent, clock, { service: 'checkout', operation: 'quote', context: 'emergency' }, 60, 10);
    agent.tick();
    expect(slos.status('quotes', 'checkout')).toMatchObject({
      total: 10,
      good: 0,
      errorBudgetRemaining: 1 - 1 / (1 - 0.9),
    });
  });
});
