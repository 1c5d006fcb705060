// Public face of exporters/prometheus: the /metrics endpoint and the exposition it serves.

export {
  BoundedExposition,
  estimateExpositionChars,
  type RenderResult,
  type ScrapeRefusal,
  type ScrapeStats,
} from './bounded-exposition.ts';
export { createSerializer, exposition, SERIALIZER_OPTIONS } from './exposition.ts';
export {
  type PrometheusConfig,
  type PrometheusExporterHandle,
  type PrometheusExporterOptions,
  startPrometheusExporter,
} from './prometheus-exporter.ts';
export { EXPOSITION_CONTENT_TYPE } from './scrape-handler.ts';
