import { describe, expect, it, vi } from 'vitest';
import { MetricsOptionsError } from '../../../errors.ts';
import { HeadroomMetricProducer } from '../../../exporters/metrics/index.ts';
import { exposition } from '../../../exporters/prometheus/index.ts';
import { recordMany, testAgent } from '../../helpers/agent.ts';
import { expositionOf, family } from './families.ts';

const checkout = { service: 'svc', operation: 'checkout', context: 'emergency' };

describe('HeadroomMetricProducer health metrics', () => {
  it("should expose the agent's dropped samples, series, evaluations and load factor", async () => {
    const { agent, clock } = testAgent({ service: { name: 'svc' }, window: { maxSeries: 1 } });
    recordMany(agent, clock, checkout, 30, 5);
    const series = agent.series({ service: 'svc', operation: 'checkout', context: 'emergency' });
    series.record(Number.NaN, false, clock.now());
    series.record(-1, false, clock.now());
    series.record(30, false, clock.now() - 120_000);
    // Behind the caller's present window (the receiver passes it), and over window.maxSpanDuration (1 h).
    series.record(30, false, clock.now() - 60_001, clock.now() - 60_000);
    series.record(3_600_000.001, false, clock.now());
    series.record(3_600_000, false, clock.now());
    agent
      .series({ service: 'svc', operation: 'refund', context: 'emergency' })
      .record(30, false, clock.now());
    agent.tick();
    agent.tick();
    const text = await expositionOf(agent);
    expect(family(text, 'headroom_samples_dropped_total')).toEqual([
      '# HELP headroom_samples_dropped_total Samples the agent refused: invalid duration or end time, older than the window (late), or longer than window.maxSpanDuration (duration).',
      '# TYPE headroom_samples_dropped_total counter',
      'headroom_samples_dropped_total{reason="invalid"} 2',
      'headroom_samples_dropped_total{reason="late"} 2',
      'headroom_samples_dropped_total{reason="duration"} 1',
    ]);
    // window.maxSeries 1: refund went to the registry's overflow series of (svc, emergency).
    expect(family(text, 'headroom_series').slice(2)).toEqual(['headroom_series 2']);
    expect(family(text, 'headroom_series_overflowed_total').slice(2)).toEqual([
      'headroom_series_overflowed_total 1',
    ]);
    expect(family(text, 'headroom_evaluations_total').slice(2)).toEqual(['headroom_evaluations_total 2']);
    expect(family(text, 'headroom_load_factor').slice(2)).toEqual(['headroom_load_factor 1']);
    expect(family(text, 'headroom_exporter_series_overflowed_total').slice(2)).toEqual([
      'headroom_exporter_series_overflowed_total 0',
    ]);
    const { lastEvaluationSeconds, evaluationSecondsTotal } = agent.health();
    expect(family(text, 'headroom_evaluation_duration_seconds')).toEqual([
      '# HELP headroom_evaluation_duration_seconds Wall time of the last evaluation tick.',
      '# UNIT headroom_evaluation_duration_seconds seconds',
      '# TYPE headroom_evaluation_duration_seconds gauge',
      `headroom_evaluation_duration_seconds ${lastEvaluationSeconds}`,
    ]);
    expect(family(text, 'headroom_evaluation_seconds_total').slice(2)).toEqual([
      `headroom_evaluation_seconds_total ${evaluationSecondsTotal}`,
    ]);
  });

  it('should describe the resource as target_info', async () => {
    const { agent } = testAgent();
    const text = await expositionOf(agent);
    expect(text.split('\n').slice(0, 3)).toEqual([
      '# HELP target_info Target metadata',
      '# TYPE target_info gauge',
      'target_info{service_name="svc"} 1',
    ]);
  });

  it('should return the error of a failing part and still collect the others', async () => {
    const { agent, clock } = testAgent({ service: { name: 'svc' } });
    recordMany(agent, clock, checkout, 30, 5);
    const failure = new Error('registry broken');
    vi.spyOn(agent.registry, 'list').mockImplementationOnce(() => {
      throw failure;
    });
    const producer = new HeadroomMetricProducer({ agent, maxSeries: 10 });
    const { resourceMetrics, errors } = await producer.collect();
    expect(errors).toEqual([failure]);
    const names = resourceMetrics.scopeMetrics[0]?.metrics.map((m) => m.descriptor.name);
    expect(names).toContain('headroom_evaluations_total');
    expect(names).not.toContain('headroom_operations_total');
    expect(await exposition(producer)).toContain('headroom_operations_total{');
  });

  it('should refuse a maxSeries that is not a positive integer at construction', () => {
    const { agent } = testAgent();
    for (const maxSeries of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new HeadroomMetricProducer({ agent, maxSeries })).toThrow(
        new MetricsOptionsError(
          'maxSeries',
          `HeadroomMetricProducer: maxSeries must be a positive integer, got ${maxSeries}`,
        ),
      );
      expect(() => new HeadroomMetricProducer({ agent, maxSeries })).toThrow(
        expect.objectContaining({ code: 'HEADROOM_ERR_METRICS_OPTIONS_INVALID', option: 'maxSeries' }),
      );
    }
  });
});
