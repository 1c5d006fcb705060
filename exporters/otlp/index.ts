// Public face of exporters/otlp/: OTLP/HTTP export of traces and metrics (Jaeger via OTLP).
export { ExponentialBackoff, RANDOMIZATION_FACTOR } from './exponential-backoff.ts';
export { ExportLifecycle } from './export-lifecycle.ts';
export { type OtlpMetricReaderOptions, createOtlpMetricReader } from './otlp-metric-reader.ts';
export { type OtlpTraceProcessorOptions, createOtlpTraceProcessor } from './otlp-trace-processor.ts';
export { DEFAULT_OTLP_ENDPOINT, type OtlpSignal, resolveOtlpUrl } from './otlp-url.ts';
export { ResilientSpanProcessor, type ResilientSpanProcessorOptions } from './resilient-span-processor.ts';
export {
  DROP_REASONS,
  type DropReason,
  type OtlpExportStats,
  type OtlpExporterConfig,
  type OtlpRetryConfig,
  type SendResult,
  type SpanBatchSender,
} from './types.ts';
