// Public face of exporters/metrics: the agent's state as pre-aggregated OpenTelemetry metric data.

export {
  alertMetrics,
  forwarderMetrics,
  type MetricSource,
  otlpExporterMetrics,
  type ReceiverStatsView,
  receiverMetrics,
  sloMetrics,
} from './component-metrics.ts';
export { HeadroomMetricProducer, type HeadroomMetricProducerOptions } from './headroom-metric-producer.ts';
export { METRICS, OVERFLOW_SERVICE } from './metric-descriptors.ts';
