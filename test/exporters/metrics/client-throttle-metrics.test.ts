import { describe, expect, it } from 'vitest';
import { clientThrottleMetrics, HeadroomMetricProducer } from '../../../exporters/metrics/index.ts';
import { exposition } from '../../../exporters/prometheus/index.ts';
import { testAgent } from '../../helpers/agent.ts';
import { checkMetrics } from '../../integration/helpers/prometheus.ts';

const stats = (target: string, criticality: string, probability: number) => ({
  target,
  criticality,
  sent: 7,
  throttled: 3,
  accepted: 5,
  refused: 2,
  aborted: 1,
  probability,
});

describe('client throttle metrics', () => {
  it('should expose requests by outcome, results by outcome and the probability per target and class', async () => {
    const { agent } = testAgent();
    const producer = new HeadroomMetricProducer({ agent, maxSeries: 100 });
    producer.addSource(
      clientThrottleMetrics({ namespace: 'shop', service: 'frontend' }, () => [
        stats('payments', 'CRITICAL', 0.25),
        stats('payments', 'SHEDDABLE', 0.5),
      ]),
    );
    const text = await exposition(producer);
    const labels = (target: string, criticality: string) =>
      `service="frontend",service_namespace="shop",target="${target}",criticality="${criticality}"`;
    const lines = text.split('\n').filter((line) => /^headroom_client_throttle_/.test(line));
    expect(lines).toEqual([
      `headroom_client_throttle_requests_total{${labels('payments', 'CRITICAL')},outcome="sent"} 7`,
      `headroom_client_throttle_requests_total{${labels('payments', 'CRITICAL')},outcome="throttled"} 3`,
      `headroom_client_throttle_requests_total{${labels('payments', 'SHEDDABLE')},outcome="sent"} 7`,
      `headroom_client_throttle_requests_total{${labels('payments', 'SHEDDABLE')},outcome="throttled"} 3`,
      `headroom_client_throttle_results_total{${labels('payments', 'CRITICAL')},outcome="accepted"} 5`,
      `headroom_client_throttle_results_total{${labels('payments', 'CRITICAL')},outcome="refused"} 2`,
      `headroom_client_throttle_results_total{${labels('payments', 'CRITICAL')},outcome="aborted"} 1`,
      `headroom_client_throttle_results_total{${labels('payments', 'SHEDDABLE')},outcome="accepted"} 5`,
      `headroom_client_throttle_results_total{${labels('payments', 'SHEDDABLE')},outcome="refused"} 2`,
      `headroom_client_throttle_results_total{${labels('payments', 'SHEDDABLE')},outcome="aborted"} 1`,
      `headroom_client_throttle_rejection_probability{${labels('payments', 'CRITICAL')}} 0.25`,
      `headroom_client_throttle_rejection_probability{${labels('payments', 'SHEDDABLE')}} 0.5`,
    ]);
    expect(checkMetrics(text)).toEqual({ status: 0, output: '' });
  });

  it('should offer no family before the first call (a prom-client registry would show them empty)', async () => {
    const { agent } = testAgent();
    const producer = new HeadroomMetricProducer({ agent, maxSeries: 100 });
    producer.addSource(clientThrottleMetrics({ namespace: '', service: 'frontend' }, () => []));
    expect(await exposition(producer)).not.toContain('headroom_client_throttle_');
    expect(
      producer.families().filter((f) => f.descriptor.name.startsWith('headroom_client_throttle_')),
    ).toEqual([]);
  });
});
