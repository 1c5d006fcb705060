// Public face of exporters/prometheus: the /metrics endpoint and the exposition it serves.
export { createSerializer, exposition, SERIALIZER_OPTIONS } from './exposition.ts';
export { EXPOSITION_CONTENT_TYPE } from './metrics-server.ts';
export {
  type PrometheusConfig,
  type PrometheusExporterHandle,
  type PrometheusExporterOptions,
  startPrometheusExporter,
} from './prometheus-exporter.ts';
