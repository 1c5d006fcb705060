// Public face of exporters/metrics: the agent's state as pre-aggregated OpenTelemetry metric data.

export { clientThrottleMetrics } from './client-throttle-metrics.ts';
export { clusterMetrics } from './cluster-metrics.ts';
export {
  alertMetrics,
  forwarderMetrics,
  type MetricSource,
  otlpExporterMetrics,
  receiverMetrics,
  sloMetrics,
} from './component-metrics.ts';
export { invalidCriticalityMetrics } from './criticality-metrics.ts';
export { HeadroomMetricProducer } from './headroom-metric-producer.ts';
export { METRICS } from './metric-descriptors.ts';
export type { FamilyType, MetricFamily } from './metric-sink.ts';
export { type StoreMode, stateMetrics } from './state-metrics.ts';
