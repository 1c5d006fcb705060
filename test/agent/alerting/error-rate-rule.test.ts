import { describe, expect, it } from 'vitest';
import { setup, snapshotOf, stubSeries } from './setup.ts';

const RULE = { name: 'errors', kind: 'errorRate' as const, warning: '5%', critical: '20%' };

describe('error-rate rule', () => {
  it('should sum the phase-less series of each service over the window', () => {
    const { clock, evaluate } = setup([RULE]);
    const series = [
      stubSeries({ operation: 'pay' }, snapshotOf(60, 3)),
      stubSeries({ operation: 'quote', context: 'emergency' }, snapshotOf(40, 3)),
      stubSeries({ operation: 'pay', phase: 'execution' }, snapshotOf(100, 100)),
      stubSeries({ service: 'search' }, snapshotOf(50, 1)),
    ];
    expect(evaluate({ series })).toEqual([
      {
        status: 'firing',
        fingerprint: '{alertname="errors",service="checkout",severity="warning"}',
        instance: '{alertname="errors",service="checkout"}',
        rule: 'errors',
        kind: 'errorRate',
        severity: 'warning',
        labels: { alertname: 'errors', service: 'checkout', severity: 'warning' },
        annotations: {
          summary: 'error rate of checkout is 6%',
          description: '6 of 100 operations failed in the last 60s (6%); warning at 5%, critical at 20%.',
        },
        startsAt: clock.now(),
        value: 0.06,
      },
    ]);
  });

  it('should judge one context when the rule names it, with a context label', () => {
    const { evaluate } = setup([{ ...RULE, context: 'emergency' }]);
    const series = [
      stubSeries({ operation: 'pay' }, snapshotOf(60, 0)),
      stubSeries({ operation: 'quote', context: 'emergency' }, snapshotOf(40, 10)),
    ];
    const [event] = evaluate({ series });
    expect(event).toMatchObject({
      severity: 'critical',
      value: 0.25,
      labels: { alertname: 'errors', context: 'emergency', service: 'checkout', severity: 'critical' },
      annotations: { summary: 'error rate of checkout (emergency) is 25%' },
    });
  });

  it('should give no rate below the minimum sample count', () => {
    const { evaluate } = setup([RULE]);
    expect(evaluate({ series: [stubSeries({}, snapshotOf(19, 19))] })).toEqual([]);
  });
});
