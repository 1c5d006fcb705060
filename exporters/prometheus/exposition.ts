/**
 * Serialization without HTTP: the Prometheus text exposition of a producer's metrics, exactly as
 * the endpoint serves it (same serializer, same options).
 */
import { diag } from '@opentelemetry/api';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import type { MetricProducer } from '@opentelemetry/sdk-metrics';

/**
 * Serializer options shared by {@link exposition} and the endpoint: `target_info` carries the
 * resource; the `otel_scope_*` labels are left out (all series come from one scope, and the label
 * sets stay the documented ones).
 */
export const SERIALIZER_OPTIONS = Object.freeze({ withoutScopeInfo: true, withoutTargetInfo: false });

/** A serializer configured as the endpoint's. */
export function createSerializer(): PrometheusSerializer {
  return new PrometheusSerializer(
    '',
    false,
    undefined,
    SERIALIZER_OPTIONS.withoutTargetInfo,
    SERIALIZER_OPTIONS.withoutScopeInfo,
  );
}

/**
 * Collects `producer` once and renders Prometheus text format 0.0.4. Collection errors are
 * reported through `diag` and the metrics that could be built are still rendered.
 * @example
 * const text = await exposition(new HeadroomMetricProducer({ agent, maxSeries: 2000 }));
 */
export async function exposition(producer: MetricProducer): Promise<string> {
  const { resourceMetrics, errors } = await producer.collect();
  if (errors.length > 0) diag.error('headroom: metrics collection errors', ...errors);
  return createSerializer().serialize(resourceMetrics);
}
