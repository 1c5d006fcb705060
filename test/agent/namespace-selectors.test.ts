import { SpanKind } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { ManualClock, RuleMatcher, SloTracker } from '../../agent/index.ts';
import { histogramBounds, SeriesTotals } from '../../agent/window/index.ts';
import { configOf } from '../helpers/agent.ts';

const span = { name: 'GET /pay', kind: SpanKind.SERVER, attributes: {} };

describe('namespace selector of YAML rules', () => {
  const config = configOf({
    rules: [
      { match: { namespace: 'payments', spanName: 'GET /pay' }, context: 'emergency', operation: 'pay' },
      { match: { namespace: '', spanName: 'GET /pay' }, context: 'deliberative' },
      { match: { spanName: 'GET /pay' }, context: 'routine' },
    ],
  });
  const rules = new RuleMatcher(config.rules);

  it.each([
    ['payments', { context: 'emergency', operation: 'pay' }],
    ['', { context: 'deliberative', operation: undefined }],
    ['shop', { context: 'routine', operation: undefined }],
    ['Payments', { context: 'routine', operation: undefined }],
  ])(
    'should map a span of checkout in namespace %j by the first rule that selects it',
    (namespace, expected) => {
      expect(rules.match('checkout', span, namespace)).toEqual(expected);
    },
  );
});

describe('namespace selector of SLOs', () => {
  it('should track an SLO only for the services of its namespace, each (namespace, name) apart', () => {
    const clock = new ManualClock(0);
    const config = configOf({
      slos: [
        { name: 'shop-pay', namespace: 'shop', context: 'routine', objective: '99%' },
        { name: 'all-pay', context: 'routine', objective: '99%' },
      ],
    });
    const tracker = new SloTracker({ config, clock });
    const series = ['shop', 'payments', ''].map((namespace) => ({
      namespace,
      service: 'checkout',
      operation: 'pay',
      context: 'routine',
      phase: '',
      totals: new SeriesTotals(histogramBounds([200])),
    }));
    tracker.observe(series, 0);
    series.forEach((one, i) => {
      for (let n = 0; n < 10; n++) one.totals.record(i === 0 ? 10 : 500, false);
    });
    tracker.observe(series, 60_000);
    expect(tracker.list().map((s) => [s.slo, s.namespace, s.service, s.total, s.good])).toEqual([
      ['shop-pay', 'shop', 'checkout', 10, 10],
      ['all-pay', 'shop', 'checkout', 10, 10],
      ['all-pay', 'payments', 'checkout', 10, 0],
      ['all-pay', '', 'checkout', 10, 0],
    ]);
    expect(tracker.status('shop-pay', { namespace: 'payments', service: 'checkout' })).toBeUndefined();
    expect(tracker.status('all-pay', 'checkout')?.namespace).toBe('');
  });
});
