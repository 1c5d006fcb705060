/** Metrics requests as the official serializers write them, from a real MeterProvider. */
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';

/** A reader that only collects when asked. */
class PullReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Collected metrics with 7 data points: a counter with 2 attribute sets, a histogram with 3, an
 * up-down counter with 1 and an observable gauge with 1.
 */
export async function sampleMetrics(): Promise<ResourceMetrics> {
  const reader = new PullReader();
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout' }),
    readers: [reader],
  });
  const meter = provider.getMeter('fixture-meter');
  const counter = meter.createCounter('requests');
  counter.add(1, { route: '/a' });
  counter.add(2, { route: '/b' });
  const histogram = meter.createHistogram('duration', { unit: 's' });
  for (const route of ['/a', '/b', '/c']) histogram.record(0.05, { route });
  meter.createUpDownCounter('queue').add(4);
  meter.createObservableGauge('temperature').addCallback((result) => result.observe(21.5));
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  return resourceMetrics;
}

export const SAMPLE_DATA_POINTS = 7;

export function metricsProtobuf(metrics: ResourceMetrics): Uint8Array {
  const bytes = ProtobufMetricsSerializer.serializeRequest(metrics);
  if (bytes === undefined) throw new Error('ProtobufMetricsSerializer returned nothing');
  return bytes;
}

export function metricsJson(metrics: ResourceMetrics): Uint8Array {
  const bytes = JsonMetricsSerializer.serializeRequest(metrics);
  if (bytes === undefined) throw new Error('JsonMetricsSerializer returned nothing');
  return bytes;
}
