import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { HeadroomMetricProducer } from '../../../exporters/metrics/index.ts';
import { exposition } from '../../../exporters/prometheus/index.ts';
import { recordMany, testAgent } from '../../helpers/agent.ts';
import { expositionOf, family } from './families.ts';

const checkout = { service: 'svc', operation: 'checkout', context: 'emergency' };
const labels = 'service="svc",operation="checkout",context="emergency"';

/** 90 fast samples of 40 ms, 10 failed ones of 70 ms, 5 of the execution phase at 20 ms, one tick. */
function busyAgent() {
  const { agent, clock } = testAgent({ service: { name: 'svc' } });
  recordMany(agent, clock, checkout, 40, 90);
  recordMany(agent, clock, checkout, 70, 10, true);
  recordMany(agent, clock, { ...checkout, phase: 'execution' }, 20, 5);
  agent.tick();
  return { agent, clock };
}

describe('HeadroomMetricProducer', () => {
  it('should expose the duration histogram with every configured budget as an le boundary', async () => {
    const { agent } = busyAgent();
    const lines = family(await expositionOf(agent), 'headroom_operation_duration_seconds');
    // Defaults plus the budgets: 50 ms emergency, 200 ms routine, 1 s deliberative and phase shares
    // (20, 35, 140, 700 ms).
    const bounds = ['0.001', '0.0025', '0.005', '0.01', '0.02', '0.025', '0.035', '0.04', '0.05', '0.1'];
    const upper = ['0.14', '0.2', '0.25', '0.5', '0.7', '1', '2.5', '5', '10', '+Inf'];
    const cumulative = [0, 0, 0, 0, 0, 0, 0, 90, 90, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100];
    expect(lines.slice(0, 3 + 2 + 20)).toEqual([
      '# HELP headroom_operation_duration_seconds Duration of tracked operations; every configured budget is a bucket boundary (le).',
      '# UNIT headroom_operation_duration_seconds seconds',
      '# TYPE headroom_operation_duration_seconds histogram',
      `headroom_operation_duration_seconds_count{${labels}} 100`,
      `headroom_operation_duration_seconds_sum{${labels}} 4.3`,
      ...[...bounds, ...upper].map(
        (le, i) => `headroom_operation_duration_seconds_bucket{${labels},le="${le}"} ${cumulative[i]}`,
      ),
    ]);
    expect(lines.slice(25, 27)).toEqual([
      `headroom_operation_duration_seconds_count{${labels},phase="execution"} 5`,
      `headroom_operation_duration_seconds_sum{${labels},phase="execution"} 0.1`,
    ]);
    expect(lines).toHaveLength(3 + 2 * 22);
  });

  it('should count operations, errors and budget violations per series', async () => {
    const { agent } = busyAgent();
    const text = await expositionOf(agent);
    expect(family(text, 'headroom_operations_total')).toEqual([
      '# HELP headroom_operations_total Operations recorded (samples the agent accepted).',
      '# TYPE headroom_operations_total counter',
      `headroom_operations_total{${labels}} 100`,
      `headroom_operations_total{${labels},phase="execution"} 5`,
    ]);
    expect(family(text, 'headroom_operation_errors_total').slice(2)).toEqual([
      `headroom_operation_errors_total{${labels}} 10`,
      `headroom_operation_errors_total{${labels},phase="execution"} 0`,
    ]);
    // p95 is 70 ms against 50 ms: one violated evaluation; the phase (20 ms of 35 ms) is fine.
    expect(family(text, 'headroom_budget_violated_evaluations_total')).toEqual([
      '# HELP headroom_budget_violated_evaluations_total Evaluations (one per series per evaluation interval, once it has enough samples) whose verdict was violated: the judged percentile over the effective budget. Counts ticks, not operations.',
      '# TYPE headroom_budget_violated_evaluations_total counter',
      `headroom_budget_violated_evaluations_total{${labels}} 1`,
      `headroom_budget_violated_evaluations_total{${labels},phase="execution"} 0`,
    ]);
  });

  it('should expose window percentiles, effective and base budgets and utilization as gauges', async () => {
    const { agent, clock } = testAgent({
      service: { name: 'svc' },
      adaptive: { modifiers: { sale: { factor: 2, contexts: ['emergency'] } } },
    });
    agent.modifiers.set('sale');
    recordMany(agent, clock, checkout, 30, 50);
    // A context that is not configured folds into context "__overflow__": percentiles, no budget gauges.
    recordMany(agent, clock, { ...checkout, context: 'batch' }, 500, 50);
    const text = await expositionOf(agent);
    const batch = 'service="svc",operation="checkout",context="__overflow__"';
    expect(family(text, 'headroom_latency_seconds')).toEqual([
      "# HELP headroom_latency_seconds Latency percentile over the agent's sliding window (DDSketch estimate).",
      '# UNIT headroom_latency_seconds seconds',
      '# TYPE headroom_latency_seconds gauge',
      ...['p50', 'p90', 'p95', 'p99', 'p99.9'].map(
        (p) => `headroom_latency_seconds{${labels},percentile="${p}"} 0.03`,
      ),
      ...['p50', 'p90', 'p95', 'p99', 'p99.9'].map(
        (p) => `headroom_latency_seconds{${batch},percentile="${p}"} 0.5`,
      ),
    ]);
    expect(family(text, 'headroom_budget_seconds').slice(3)).toEqual([
      `headroom_budget_seconds{${labels}} 0.1`,
    ]);
    expect(family(text, 'headroom_budget_base_seconds').slice(3)).toEqual([
      `headroom_budget_base_seconds{${labels}} 0.05`,
    ]);
    expect(family(text, 'headroom_budget_utilization_ratio')).toEqual([
      '# HELP headroom_budget_utilization_ratio Observed latency at the judged percentile divided by the effective budget; above 1 is a violation.',
      '# UNIT headroom_budget_utilization_ratio ratio',
      '# TYPE headroom_budget_utilization_ratio gauge',
      `headroom_budget_utilization_ratio{${labels}} 0.3`,
    ]);
  });

  it('should leave out percentiles and utilization once the window is empty, and keep the budgets', async () => {
    const { agent, clock } = testAgent({ service: { name: 'svc' } });
    recordMany(agent, clock, checkout, 30, 50);
    clock.advance(61_000);
    const text = await expositionOf(agent);
    expect(text).not.toContain('headroom_latency_seconds');
    expect(text).not.toContain('headroom_budget_utilization_ratio');
    expect(family(text, 'headroom_budget_seconds').slice(3)).toEqual([
      `headroom_budget_seconds{${labels}} 0.05`,
    ]);
    expect(family(text, 'headroom_operations_total').slice(2)).toEqual([
      `headroom_operations_total{${labels}} 50`,
    ]);
  });

  it('should expose the degradation level, its state set and the transitions after an override', async () => {
    const { agent } = testAgent({ service: { name: 'svc' } });
    const producer = new HeadroomMetricProducer({ agent, maxSeries: 10 });
    agent.degradation('svc').override('SEVERE', 'test');
    agent.degradation('other');
    const text = await exposition(producer);
    expect(family(text, 'headroom_degradation_level')).toEqual([
      '# HELP headroom_degradation_level Degradation level of the service: 0 NONE, 1 MINIMAL, 2 MODERATE, 3 SEVERE, 4 CRITICAL.',
      '# TYPE headroom_degradation_level gauge',
      'headroom_degradation_level{service="svc"} 3',
      'headroom_degradation_level{service="other"} 0',
    ]);
    expect(family(text, 'headroom_degradation_state').slice(2)).toEqual([
      'headroom_degradation_state{service="svc",level="NONE"} 0',
      'headroom_degradation_state{service="svc",level="MINIMAL"} 0',
      'headroom_degradation_state{service="svc",level="MODERATE"} 0',
      'headroom_degradation_state{service="svc",level="SEVERE"} 1',
      'headroom_degradation_state{service="svc",level="CRITICAL"} 0',
      'headroom_degradation_state{service="other",level="NONE"} 1',
      'headroom_degradation_state{service="other",level="MINIMAL"} 0',
      'headroom_degradation_state{service="other",level="MODERATE"} 0',
      'headroom_degradation_state{service="other",level="SEVERE"} 0',
      'headroom_degradation_state{service="other",level="CRITICAL"} 0',
    ]);
    agent.degradation('svc').clearOverride('test over');
    agent.degradation('svc').override('SEVERE', 'again');
    expect(family(await exposition(producer), 'headroom_degradation_transitions_total')).toEqual([
      '# HELP headroom_degradation_transitions_total Degradation decisions by origin level, target level and reason.',
      '# TYPE headroom_degradation_transitions_total counter',
      'headroom_degradation_transitions_total{service="svc",from="NONE",to="SEVERE",reason="manual-override"} 1',
      'headroom_degradation_transitions_total{service="svc",from="SEVERE",to="SEVERE",reason="override-cleared"} 1',
      'headroom_degradation_transitions_total{service="svc",from="SEVERE",to="SEVERE",reason="manual-override"} 1',
    ]);
  });

  it('should stop counting decisions after shutdown and keep collecting', async () => {
    const { agent } = testAgent({ service: { name: 'svc' } });
    const producer = new HeadroomMetricProducer({ agent, maxSeries: 10 });
    producer.shutdown();
    producer.shutdown();
    agent.degradation('svc').override('SEVERE', 'test');
    const { resourceMetrics, errors } = await producer.collect();
    const names = resourceMetrics.scopeMetrics[0]?.metrics.map((m) => m.descriptor.name);
    expect(errors).toEqual([]);
    expect(names).toContain('headroom_degradation_level');
    expect(names).not.toContain('headroom_degradation_transitions_total');
  });

  it("should leave a throwing part out, count it, and never fail the service's MeterProvider scrape", async () => {
    const { agent } = busyAgent();
    const failure = new Error('source down');
    const broken = () => {
      throw failure;
    };
    const producer = new HeadroomMetricProducer({ agent, maxSeries: 10, sources: [broken, broken] });
    const exporter = new PrometheusExporter({ preventServerStart: true, metricProducers: [producer] });
    const meterProvider = new MeterProvider({ readers: [exporter] });
    meterProvider.getMeter('shop').createCounter('orders').add(1);
    const { resourceMetrics, errors } = await exporter.collect();
    expect(errors).toEqual([failure, failure]);
    const text = new PrometheusSerializer('', false, undefined, true, true).serialize(resourceMetrics);
    expect(text).toContain('\norders_total 1\n');
    expect(text).toContain(`\nheadroom_operations_total{${labels}} 100\n`);
    expect(family(text, 'headroom_metric_collection_errors_total').slice(2)).toEqual([
      'headroom_metric_collection_errors_total 2',
    ]);
    await meterProvider.shutdown();
  });

  it('should list every family offered, with or without points, in first-offered order', () => {
    const { agent } = testAgent({ service: { name: 'svc' } });
    const producer = new HeadroomMetricProducer({ agent, maxSeries: 10 });
    expect(producer.families()).toEqual([]);
    const { resourceMetrics } = producer.collectNow();
    const withPoints = resourceMetrics.scopeMetrics[0]?.metrics.map((m) => m.descriptor.name) ?? [];
    const offered = producer.families().map((f) => f.descriptor.name);
    expect(offered.slice(0, 3)).toEqual([
      'headroom_operation_duration_seconds',
      'headroom_operations_total',
      'headroom_operation_errors_total',
    ]);
    expect(offered.at(-1)).toBe('headroom_metric_collection_errors_total');
    expect(withPoints.every((name) => offered.includes(name))).toBe(true);
    expect(withPoints.length).toBeLessThan(offered.length);
    expect(producer.families().find((f) => f.descriptor.name === 'headroom_series')?.type).toBe('gauge');
  });
});
