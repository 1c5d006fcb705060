import { ValueType } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  type CollectionResult,
  DataPointType,
  MeterProvider,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HeadroomConfigInput } from '../../../config/index.ts';
import { createOtlpMetricReader } from '../../../exporters/otlp/index.ts';
import { configOf } from '../../helpers/agent.ts';
import { OtlpSink, until } from '../../helpers/otlp-sink.ts';

type OtlpInput = NonNullable<NonNullable<HeadroomConfigInput['exporters']>['otlp']>;
const resource = resourceFromAttributes({ 'service.name': 'checkout' });

/** A producer standing in for Headroom's: one cumulative counter, counting its collections. */
class CountingProducer implements MetricProducer {
  collections = 0;
  async collect(): Promise<CollectionResult> {
    this.collections++;
    const now: [number, number] = [Math.floor(Date.now() / 1000), 0];
    return {
      errors: [],
      resourceMetrics: {
        resource,
        scopeMetrics: [
          {
            scope: { name: 'headroom-otel' },
            metrics: [
              {
                descriptor: {
                  name: 'headroom_operations_total',
                  description: 'ops',
                  unit: '',
                  valueType: ValueType.DOUBLE,
                },
                aggregationTemporality: AggregationTemporality.CUMULATIVE,
                dataPointType: DataPointType.SUM,
                isMonotonic: true,
                dataPoints: [
                  { startTime: now, endTime: now, attributes: { context: 'emergency' }, value: 42 },
                ],
              },
            ],
          },
        ],
      },
    };
  }
}

let sink: OtlpSink;
let provider: MeterProvider | undefined;
beforeEach(async () => {
  sink = await OtlpSink.start();
});
afterEach(async () => {
  await provider?.shutdown();
  provider = undefined;
  await sink.stop();
});

function setup(otlp: OtlpInput = {}) {
  const config = configOf({ exporters: { otlp: { endpoint: sink.endpoint, ...otlp } } });
  const producer = new CountingProducer();
  const reader = createOtlpMetricReader(config.exporters.otlp, { producers: [producer] });
  provider = new MeterProvider({ resource, readers: [reader] });
  provider.getMeter('app').createCounter('app_requests_total').add(2);
  return { reader, producer };
}

describe('createOtlpMetricReader', () => {
  it.each([
    ['http/protobuf', 'gzip', 'application/x-protobuf', 'gzip'],
    ['http/json', 'none', 'application/json', undefined],
  ] as const)(
    'should export the producer metrics and the provider own ones as %s (%s), cumulative',
    async (protocol, compression, type, encoding) => {
      const { reader } = setup({ protocol, compression, headers: { authorization: 'Bearer t' } });
      await reader.forceFlush();
      expect(
        sink.requests.map((r) => [
          r.path,
          r.contentType,
          r.contentEncoding,
          r.headers.authorization,
          r.reply,
        ]),
      ).toEqual([['/v1/metrics', type, encoding, 'Bearer t', 200]]);
      expect(
        sink.metrics.map((m) => [m.name, m.type, m.temporality, m.resource['service.name'], m.points]),
      ).toEqual([
        ['app_requests_total', 'sum', 2, 'checkout', [{ attributes: {}, value: 2 }]],
        [
          'headroom_operations_total',
          'sum',
          2,
          'checkout',
          [{ attributes: { context: 'emergency' }, value: 42 }],
        ],
      ]);
    },
  );

  it('should push every exportInterval on its own', async () => {
    const { producer } = setup({ exportInterval: '50ms', timeout: '1s' });
    await until(() => sink.requests.length >= 2, 5000, 'two periodic exports');
    expect(producer.collections).toBeGreaterThanOrEqual(2);
    expect(new Set(sink.metrics.map((m) => m.name))).toEqual(
      new Set(['app_requests_total', 'headroom_operations_total']),
    );
  });

  it('should post to metricsEndpoint as given', async () => {
    const { reader } = setup({
      endpoint: 'http://127.0.0.1:9/unused',
      metricsEndpoint: `${sink.endpoint}/v1/metrics`,
    });
    await reader.forceFlush();
    expect(sink.requests.map((r) => r.path)).toEqual(['/v1/metrics']);
  });

  it('should flush on shutdown', async () => {
    setup();
    await provider?.shutdown();
    provider = undefined;
    expect(sink.metrics.map((m) => m.name)).toEqual(['app_requests_total', 'headroom_operations_total']);
  });
});
