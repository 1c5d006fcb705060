// Public face of exporters/otlp/: OTLP/HTTP export of traces and metrics (Jaeger via OTLP).
export { ExponentialBackoff, RANDOMIZATION_FACTOR } from './exponential-backoff.ts';
export { ExportLifecycle } from './export-lifecycle.ts';
export { type ForwarderStats, OtlpForwarder, type OtlpForwarderOptions } from './otlp-forwarder.ts';
export { createOtlpMetricReader, type OtlpMetricReaderOptions } from './otlp-metric-reader.ts';
export { createOtlpTraceProcessor, type OtlpTraceProcessorOptions } from './otlp-trace-processor.ts';
export { DEFAULT_OTLP_ENDPOINT, type OtlpSignal, resolveOtlpUrl } from './otlp-url.ts';
export { ResilientSpanProcessor, type ResilientSpanProcessorOptions } from './resilient-span-processor.ts';
export {
  DROP_REASONS,
  type DropReason,
  type OtlpExporterConfig,
  type OtlpExportStats,
  type OtlpRetryConfig,
  type SendResult,
  type SpanBatchSender,
} from './types.ts';
