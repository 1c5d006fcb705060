/**
 * OTLP export of metrics: the official `PeriodicExportingMetricReader` with the official
 * `OTLPMetricExporter` (HTTP with protobuf or JSON, or gRPC: that one loaded on the first export,
 * see grpc-metric-exporter.ts), cumulative temporality, configured from `exporters.otlp`.
 * Export failures are retried inside the official exporter within `timeout` and then logged;
 * with cumulative temporality the next interval's export carries the totals again.
 */
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtobufMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import {
  AggregationTemporality,
  type MetricProducer,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { GrpcMetricExporter } from './grpc-metric-exporter.ts';
import { resolveOtlpUrl } from './otlp-url.ts';
import type { OtlpExporterConfig } from './types.ts';

export interface OtlpMetricReaderOptions {
  /** Producers exported besides the MeterProvider's own instruments, e.g. Headroom's agent metrics. */
  readonly producers?: readonly MetricProducer[];
  /**
   * Bound of a shutdown, ms (`shutdown.timeout`): an export request (retries included) never
   * takes longer, so the final export of a shutdown ends with it. @default no extra bound
   */
  readonly shutdownTimeoutMs?: number;
}

/**
 * A metric reader that pushes every `exportInterval` to `metricsEndpoint` (or, over HTTP, `endpoint` +
 * `/v1/metrics`; over gRPC, `endpoint` as-is: see {@link resolveOtlpUrl}). Bind it to a MeterProvider (`new MeterProvider({ resource, readers: [reader] })`):
 * the provider supplies the resource and starts the interval (an unref'd timer).
 * @example
 * const reader = createOtlpMetricReader(config.exporters.otlp, { producers: [headroomMetrics] });
 * const meterProvider = new MeterProvider({ resource, readers: [reader] });
 */
export function createOtlpMetricReader(
  config: OtlpExporterConfig,
  options: OtlpMetricReaderOptions = {},
): PeriodicExportingMetricReader {
  // The SDK requires timeout <= interval; an export never outlives its interval, nor a shutdown.
  const timeoutMs = Math.min(
    config.timeoutMs,
    config.exportIntervalMs,
    options.shutdownTimeoutMs ?? Infinity,
  );
  const url = resolveOtlpUrl(config, 'metrics');
  const exporterConfig = {
    url,
    headers: { ...config.headers },
    compression: config.compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
    timeoutMillis: timeoutMs,
    temporalityPreference: AggregationTemporality.CUMULATIVE,
  };
  const exporter =
    config.protocol === 'grpc'
      ? new GrpcMetricExporter({ url, headers: config.headers, compression: config.compression, timeoutMs })
      : config.protocol === 'http/json'
        ? new JsonMetricExporter(exporterConfig)
        : new ProtobufMetricExporter(exporterConfig);
  return new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: config.exportIntervalMs,
    exportTimeoutMillis: timeoutMs,
    metricProducers: [...(options.producers ?? [])],
  });
}
