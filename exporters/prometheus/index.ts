// Public face of exporters/prometheus: the /metrics endpoint and the exposition it serves.

export {
  BoundedExposition,
  estimateExpositionChars,
} from './bounded-exposition.ts';
export { createSerializer, exposition } from './exposition.ts';
export {
  type PrometheusExporterHandle,
  startPrometheusExporter,
} from './prometheus-exporter.ts';
export { EXPOSITION_CONTENT_TYPE } from './scrape-handler.ts';
