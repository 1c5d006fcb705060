// A service in another process that sends spans to an OTLP endpoint with the official exporters:
//   node test/helpers/otlp-client.ts <base-url> <service> <proto|http|grpc> [count=30] [durations=120] [gzip|none] [batch=10]
// `proto` is @opentelemetry/exporter-trace-otlp-proto (application/x-protobuf), `http` is
// @opentelemetry/exporter-trace-otlp-http (application/json), `grpc` is
// @opentelemetry/exporter-trace-otlp-grpc (OTLP/gRPC; <base-url> is then http://host:port). Each span is a finished `quote`
// operation in the `emergency` context with explicit start and end times (no sleeping): `durations`
// is one duration, ms, for every span, or a plan `20x1200,40x650` (1,200 spans of 20 ms, then 650
// of 40 ms; cycled when `count` is larger). `batch` is the BatchSpanProcessor's maxExportBatchSize
// (spans per export request). Prints `{"exported":N,"failed":M,"calls":C}` (C export requests) and exits 0 when every export succeeded, 1 otherwise.
import { SpanKind } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
  TracerProvider,
} from '@opentelemetry/sdk-trace';

const [
  baseUrl,
  service,
  protocol,
  countArg = '30',
  durationArg = '120',
  compressionArg = 'none',
  batchArg = '10',
] = process.argv.slice(2);
if (baseUrl === undefined || service === undefined || !['proto', 'http', 'grpc'].includes(protocol ?? '')) {
  console.error(
    'usage: otlp-client.ts <base-url> <service> <proto|http|grpc> [count] [durations] [gzip|none] [batch]',
  );
  process.exit(2);
}

/** Counts what the official exporter reports for each export. */
class CountingExporter implements SpanExporter {
  readonly #inner: SpanExporter;
  exported = 0;
  failed = 0;
  calls = 0;

  constructor(inner: SpanExporter) {
    this.#inner = inner;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.calls++;
    this.#inner.export(spans, (result) => {
      if (result.code === ExportResultCode.SUCCESS) this.exported += spans.length;
      else this.failed += spans.length;
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.#inner.forceFlush?.() ?? Promise.resolve();
  }
}

const count = Number(countArg);
const compression = compressionArg === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE;
const options = { url: `${baseUrl}/v1/traces`, compression };
const exporter = new CountingExporter(
  protocol === 'grpc'
    ? new GrpcExporter({ url: baseUrl, compression })
    : protocol === 'proto'
      ? new ProtobufExporter(options)
      : new HttpJsonExporter(options),
);
const provider = new TracerProvider({
  resource: resourceFromAttributes({ 'service.name': service, 'service.namespace': 'shop' }),
  spanProcessors: [
    new BatchSpanProcessor({
      exporter,
      maxExportBatchSize: Number(batchArg),
      maxQueueSize: Math.max(2048, count),
    }),
  ],
});
const tracer = provider.getTracer('otlp-client');
const durations = durationArg.split(',').flatMap((group) => {
  const [ms, times = '1'] = group.split('x');
  return Array.from({ length: Number(times) }, () => Number(ms));
});
const endMs = Date.now();
for (let i = 0; i < count; i++) {
  const span = tracer.startSpan('quote', {
    kind: SpanKind.SERVER,
    startTime: endMs - durations[i % durations.length]!,
    attributes: { 'headroom.budget.context': 'emergency', 'headroom.operation': 'quote' },
  });
  span.end(endMs);
}
await provider.forceFlush();
await provider.shutdown();
console.log(JSON.stringify({ exported: exporter.exported, failed: exporter.failed, calls: exporter.calls }));
process.exitCode = exporter.failed === 0 && exporter.exported > 0 ? 0 : 1;
