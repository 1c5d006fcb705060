// Public face of exporters/prom-client: Headroom's metrics in a service's prom-client registry.
// Reached only through the `headroom-otel/prom-client` entry point (prom-client is an optional peer).

export {
  type MetricProducerSource,
  type PromClientRegistry,
  type RegisterHeadroomMetricsOptions,
  registerHeadroomMetrics,
} from './register-headroom-metrics.ts';
