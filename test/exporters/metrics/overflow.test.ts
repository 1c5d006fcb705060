import { describe, expect, it } from 'vitest';
import { HeadroomMetricProducer } from '../../../exporters/metrics/index.ts';
import { exposition } from '../../../exporters/prometheus/index.ts';
import { recordMany, testAgent } from '../../helpers/agent.ts';
import { family } from './families.ts';

const series = (operation: string, context = 'emergency') => ({ service: 'svc', operation, context });
const overflow = (context: string) => `service="svc",operation="__overflow__",context="${context}"`;

describe('HeadroomMetricProducer cardinality cap', () => {
  it('should fold series beyond maxSeries into one overflow series per (service, context), summing counts', async () => {
    const { agent, clock } = testAgent({ service: { name: 'svc' } });
    recordMany(agent, clock, series('a'), 10, 1);
    recordMany(agent, clock, series('b'), 10, 2);
    recordMany(agent, clock, series('c'), 10, 4);
    recordMany(agent, clock, series('d'), 30, 8);
    recordMany(agent, clock, series('e', 'routine'), 10, 16);
    const producer = new HeadroomMetricProducer({ agent, maxSeries: 2 });
    const text = await exposition(producer);
    expect(family(text, 'headroom_operations_total').slice(2)).toEqual([
      'headroom_operations_total{service="svc",operation="a",context="emergency"} 1',
      'headroom_operations_total{service="svc",operation="b",context="emergency"} 2',
      `headroom_operations_total{${overflow('emergency')}} 12`,
      `headroom_operations_total{${overflow('routine')}} 16`,
    ]);
    expect(
      family(text, 'headroom_operation_duration_seconds').filter((l) => l.includes('__overflow__')),
    ).toContain(`headroom_operation_duration_seconds_bucket{${overflow('emergency')},le="0.025"} 4`);
    // Gauges keep the worst value of the folded series: d's 30 ms, not c's 10 ms.
    expect(family(text, 'headroom_latency_seconds')).toContain(
      `headroom_latency_seconds{${overflow('emergency')},percentile="p95"} 0.03`,
    );
    // 3 folded series in each of 8 per-series metrics; the count grows at every collection.
    expect(family(text, 'headroom_exporter_series_overflowed_total').slice(2)).toEqual([
      'headroom_exporter_series_overflowed_total 24',
    ]);
    const again = await exposition(producer);
    expect(family(again, 'headroom_exporter_series_overflowed_total').slice(2)).toEqual([
      'headroom_exporter_series_overflowed_total 48',
    ]);
  });

  it("should merge folded series into the registry's own overflow series without counting it", async () => {
    const { agent, clock } = testAgent({ service: { name: 'svc' }, window: { maxSeries: 2 } });
    recordMany(agent, clock, series('a'), 10, 1);
    recordMany(agent, clock, series('b'), 10, 2);
    recordMany(agent, clock, series('c'), 10, 4); // beyond window.maxSeries: the registry's overflow
    const text = await exposition(new HeadroomMetricProducer({ agent, maxSeries: 1 }));
    expect(family(text, 'headroom_operations_total').slice(2)).toEqual([
      'headroom_operations_total{service="svc",operation="a",context="emergency"} 1',
      `headroom_operations_total{${overflow('emergency')}} 6`,
    ]);
    expect(family(text, 'headroom_exporter_series_overflowed_total').slice(2)).toEqual([
      'headroom_exporter_series_overflowed_total 8',
    ]);
  });

  it('should fold services beyond maxSeries into service="__overflow__" with the worst level', async () => {
    const { agent } = testAgent({ service: { name: 'svc' } });
    const producer = new HeadroomMetricProducer({ agent, maxSeries: 1 });
    agent.degradation('svc').override('MINIMAL', 'test');
    agent.degradation('b').override('SEVERE', 'test');
    agent.degradation('c').override('MODERATE', 'test');
    const text = await exposition(producer);
    expect(family(text, 'headroom_degradation_level').slice(2)).toEqual([
      'headroom_degradation_level{service="svc"} 1',
      'headroom_degradation_level{service="__overflow__"} 3',
    ]);
    expect(family(text, 'headroom_degradation_state')).toContain(
      'headroom_degradation_state{service="__overflow__",level="MODERATE"} 1',
    );
    expect(family(text, 'headroom_degradation_transitions_total').slice(2)).toEqual([
      'headroom_degradation_transitions_total{service="svc",from="NONE",to="MINIMAL",reason="manual-override"} 1',
      'headroom_degradation_transitions_total{service="__overflow__",from="NONE",to="SEVERE",reason="manual-override"} 1',
      'headroom_degradation_transitions_total{service="__overflow__",from="NONE",to="MODERATE",reason="manual-override"} 1',
    ]);
  });
});
