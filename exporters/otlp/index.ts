// Public face of exporters/otlp/: OTLP export (HTTP or gRPC) of traces and metrics (Jaeger via OTLP), collector-mode forwarding.
export { DROP_REASONS, type DropReason } from '../delivery/index.ts';
export { OtlpForwarder, type OtlpForwarderOptions } from './otlp-forwarder.ts';
export { createOtlpMetricReader, type OtlpMetricReaderOptions } from './otlp-metric-reader.ts';
export { createOtlpTraceProcessor, type OtlpTraceProcessorOptions } from './otlp-trace-processor.ts';
export { DEFAULT_OTLP_ENDPOINT, type OtlpSignal, resolveOtlpUrl } from './otlp-url.ts';
export { ResilientSpanProcessor, type ResilientSpanProcessorOptions } from './resilient-span-processor.ts';
export type {
  ForwarderStats,
  ForwardOutcome,
  OtlpExporterConfig,
  OtlpExportStats,
  OtlpRetryConfig,
  RestoredQueue,
  SendResult,
  SpanBatchSender,
} from './types.ts';
