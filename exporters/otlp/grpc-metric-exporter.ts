/**
 * OTLP/gRPC push of metrics (`exporters.otlp.protocol: grpc`) with the official
 * `@opentelemetry/exporter-metrics-otlp-grpc`, loaded on the first export: an embedded import of
 * Headroom must not load `@grpc/grpc-js` unless gRPC is configured. Until then this stands in for
 * it with the same answers the official exporter gives the reader (cumulative temporality, the
 * default aggregation).
 */
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import {
  AggregationTemporality,
  type InstrumentType,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';

export interface GrpcMetricExporterOptions {
  /** `http://host:port` (plaintext) or `https://host:port` (TLS), as the official exporter takes it. */
  readonly url: string;
  /** Sent as call metadata (keys lower-cased, as gRPC requires). */
  readonly headers: Readonly<Record<string, string>>;
  readonly compression: 'gzip' | 'none';
  /** Deadline of one export, retries included, ms. */
  readonly timeoutMs: number;
}

/** A `PushMetricExporter` that creates the official OTLP/gRPC metric exporter on its first export. */
export class GrpcMetricExporter implements PushMetricExporter {
  readonly #options: GrpcMetricExporterOptions;
  #exporter: Promise<OTLPMetricExporter> | undefined;
  #shutdown = false;

  constructor(options: GrpcMetricExporterOptions) {
    this.#options = options;
  }

  /** Loads the official exporter (once) and hands it `metrics`; a failure to load fails this export. */
  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    if (this.#shutdown) {
      resultCallback({
        code: ExportResultCode.FAILED,
        error: new Error('OTLP/gRPC metric exporter is shut down'),
      });
      return;
    }
    this.#load().then(
      (exporter) => exporter.export(metrics, resultCallback),
      (error: unknown) =>
        resultCallback({
          code: ExportResultCode.FAILED,
          error: error instanceof Error ? error : new Error(String(error)),
        }),
    );
  }

  /** Always cumulative: the next push carries the totals again when one fails. */
  selectAggregationTemporality(_instrumentType?: InstrumentType): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }

  async forceFlush(): Promise<void> {
    await (await this.#loaded())?.forceFlush();
  }

  /** Shuts the official exporter down (closing its channel) if it was loaded; later exports fail. */
  async shutdown(): Promise<void> {
    this.#shutdown = true;
    await (await this.#loaded())?.shutdown();
  }

  /** The official exporter if it was loaded (or is loading and loads); `undefined` otherwise. */
  async #loaded(): Promise<OTLPMetricExporter | undefined> {
    return this.#exporter?.catch(() => undefined);
  }

  #load(): Promise<OTLPMetricExporter> {
    this.#exporter ??= Promise.all([
      import('@grpc/grpc-js'),
      import('@opentelemetry/exporter-metrics-otlp-grpc'),
    ]).then(([grpc, official]) => {
      const metadata = new grpc.Metadata();
      for (const [key, value] of Object.entries(this.#options.headers))
        metadata.set(key.toLowerCase(), value);
      return new official.OTLPMetricExporter({
        url: this.#options.url,
        metadata,
        compression:
          this.#options.compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
        timeoutMillis: this.#options.timeoutMs,
        temporalityPreference: AggregationTemporality.CUMULATIVE,
      });
    });
    return this.#exporter;
  }
}
