/**
 * Budgets whose phase shares carry float noise (225 ms x 28 % = 63.00000000000001, 63 ms x 70 % =
 * 44.099999999999994) beside a context whose budget equals one of them: every exporter must carry
 * each bound once, strictly increasing, as the exact decimal (`le="0.0441"`, OTLP 0.0441).
 */
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { HeadroomMetricProducer } from '../../../exporters/metrics/index.ts';
import { createOtlpMetricReader } from '../../../exporters/otlp/index.ts';
import { configOf, recordMany, testAgent } from '../../helpers/agent.ts';
import { NOISY_BOUNDS_SECONDS, NOISY_CONTEXTS } from '../../helpers/histogram-bounds.ts';
import { OtlpSink } from '../../helpers/otlp-sink.ts';
import { expositionOf, family } from './families.ts';

const CONTEXTS = NOISY_CONTEXTS;
const BOUNDS = NOISY_BOUNDS_SECONDS;

/**
 * Samples exactly at the budgets whose products are noisy: 3 at 44.1 ms (63 x 70 %), 2 at 63 ms
 * (225 x 28 %), 1 at 162 ms (225 x 72 %). A sample at a budget is within it (`le`).
 */
function agentAtTheBounds() {
  const { agent, clock } = testAgent({
    service: { name: 'svc' },
    contexts: CONTEXTS,
    adaptive: { modifiers: { sale: { factor: 1.1 } } },
  });
  const series = { operation: 'find', context: 'search' };
  recordMany(agent, clock, series, 44.1, 3);
  recordMany(agent, clock, series, 63, 2);
  recordMany(agent, clock, series, 162, 1);
  return { agent, clock };
}

/** Cumulative count per bound (and +Inf) for the samples of {@link agentAtTheBounds}. */
function cumulative(): number[] {
  const atMs = (le: string) => Number(le) * 1000;
  return [...BOUNDS.map((le) => (atMs(le) >= 162 ? 6 : atMs(le) >= 63 ? 5 : atMs(le) >= 44.1 ? 3 : 0)), 6];
}

describe('histogram bounds from noisy phase shares', () => {
  it('should expose each bound once as an exact decimal, counting samples at a bound within it', async () => {
    const { agent } = agentAtTheBounds();
    const labels = 'service="svc",operation="find",context="search"';
    const lines = family(await expositionOf(agent), 'headroom_operation_duration_seconds');
    expect(lines.filter((line) => line.includes('_bucket'))).toEqual(
      [...BOUNDS, '+Inf'].map(
        (le, i) => `headroom_operation_duration_seconds_bucket{${labels},le="${le}"} ${cumulative()[i]}`,
      ),
    );
    expect(lines).toContain(`headroom_operation_duration_seconds_bucket{${labels},le="0.0441"} 3`);
    expect(lines).toContain(`headroom_operation_duration_seconds_count{${labels}} 6`);
  });

  it('should expose the base budget of a phase and a modified budget as exact decimals', async () => {
    const { agent, clock } = agentAtTheBounds();
    agent.modifiers.set('sale');
    recordMany(agent, clock, { operation: 'find', context: 'lookup', phase: 'execution' }, 40, 5);
    const text = await expositionOf(agent);
    const labels = 'service="svc",operation="find",context="lookup",phase="execution"';
    expect(family(text, 'headroom_budget_base_seconds')).toContain(
      `headroom_budget_base_seconds{${labels}} 0.0441`,
    );
    // 44.1 ms x 1.1 = 48.51 ms (48.510000000000005 in binary).
    expect(family(text, 'headroom_budget_seconds')).toContain(`headroom_budget_seconds{${labels}} 0.04851`);
  });
});

describe.each(['http/protobuf', 'http/json'] as const)('OTLP explicitBounds over %s', (protocol) => {
  let sink: OtlpSink | undefined;
  let provider: MeterProvider | undefined;
  afterEach(async () => {
    await provider?.shutdown();
    await sink?.stop();
  });

  it('should send strictly increasing, exact bounds and the per-bucket counts', async () => {
    sink = await OtlpSink.start();
    const { agent } = agentAtTheBounds();
    const resource = resourceFromAttributes({ 'service.name': 'svc' });
    const producer = new HeadroomMetricProducer({ agent, resource, maxSeries: 100 });
    const config = configOf({ exporters: { otlp: { endpoint: sink.endpoint, protocol } } });
    const reader = createOtlpMetricReader(config.exporters.otlp, { producers: [producer] });
    provider = new MeterProvider({ resource, readers: [reader] });
    await reader.forceFlush();
    const histogram = sink.metrics.find((m) => m.name === 'headroom_operation_duration_seconds');
    const perBucket = cumulative().map((count, i, all) => count - (all[i - 1] ?? 0));
    expect(histogram?.points).toEqual([
      {
        attributes: { service: 'svc', operation: 'find', context: 'search' },
        value: 6,
        explicitBounds: BOUNDS.map(Number),
        bucketCounts: perBucket,
      },
    ]);
    expect(histogram?.points[0]?.explicitBounds?.map(String)).toEqual(BOUNDS);
  });
});
