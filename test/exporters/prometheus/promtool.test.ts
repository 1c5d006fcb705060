import { describe, expect, it } from 'vitest';
import { recordMany, testAgent } from '../../helpers/agent.ts';
import { checkMetrics } from '../../integration/helpers/prometheus.ts';
import { expositionOf } from '../metrics/families.ts';

describe('exposition under promtool', () => {
  it('should pass `promtool check metrics` without a single warning', async () => {
    // Every family at once: phases, errors, a context without budget, overflow, degradation, drops.
    const { agent, clock } = testAgent({ service: { name: 'svc' }, window: { maxSeries: 4 } });
    recordMany(agent, clock, { operation: 'checkout', context: 'emergency' }, 40, 90);
    recordMany(agent, clock, { operation: 'checkout', context: 'emergency' }, 70, 10, true);
    recordMany(agent, clock, { operation: 'checkout', context: 'emergency', phase: 'execution' }, 20, 5);
    recordMany(agent, clock, { operation: 'report', context: 'batch' }, 900, 5);
    recordMany(agent, clock, { operation: 'search', context: 'routine' }, 150, 30);
    recordMany(agent, clock, { operation: 'refund', context: 'routine' }, 150, 30);
    agent
      .series({ service: 'svc', operation: 'checkout', context: 'emergency' })
      .record(Number.NaN, false, clock.now());
    agent.tick();
    agent.degradation('svc').override('SEVERE', 'test');
    agent.degradation('other');
    const text = await expositionOf(agent, 3);
    expect(text).toContain('operation="__overflow__"');
    expect(checkMetrics(text)).toEqual({ status: 0, output: '' });
  });

  it('should label namespaced services with service_namespace, and pass promtool with both kinds', async () => {
    const { agent, clock } = testAgent({ service: { name: 'svc' } });
    recordMany(
      agent,
      clock,
      { namespace: 'shop', service: 'checkout', operation: 'pay', context: 'emergency' },
      40,
      30,
    );
    recordMany(
      agent,
      clock,
      { namespace: 'payments', service: 'checkout', operation: 'pay', context: 'emergency' },
      90,
      30,
    );
    recordMany(agent, clock, { service: 'checkout', operation: 'pay', context: 'emergency' }, 10, 30);
    agent.tick();
    agent.degradation('checkout', 'payments').override('SEVERE', 'test');
    const text = await expositionOf(agent, 100);
    const operations = text.split('\n').filter((line) => line.startsWith('headroom_operations_total{'));
    expect(operations).toEqual([
      'headroom_operations_total{service="checkout",service_namespace="shop",operation="pay",context="emergency"} 30',
      'headroom_operations_total{service="checkout",service_namespace="payments",operation="pay",context="emergency"} 30',
      'headroom_operations_total{service="checkout",operation="pay",context="emergency"} 30',
    ]);
    expect(text).toContain('headroom_degradation_level{service="checkout",service_namespace="payments"} 3');
    expect(text).toContain('headroom_degradation_level{service="checkout"} 0');
    expect(checkMetrics(text)).toEqual({ status: 0, output: '' });
  });

  it('should make promtool complain about a broken exposition (the check is live)', () => {
    const broken = '# TYPE requests counter\nrequests 1\n';
    const result = checkMetrics(broken);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('counter metrics should have "_total" suffix');
  });
});
