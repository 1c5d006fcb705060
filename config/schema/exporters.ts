/**
 * Exporters: the Prometheus pull endpoint and OTLP export (HTTP or gRPC) of traces and metrics
 * (Jaeger is reached through OTLP). Retry defaults follow the OpenTelemetry Collector's exporterhelper.
 */
import { z } from 'zod';
import { withUnitNames } from './unit-names.ts';
import { duration, formatMs, port, size, whenValid } from './units.ts';

const prometheusSchema = withUnitNames(
  z.strictObject({
    enabled: z.boolean().default(true),
    host: z.string().min(1).prefault('127.0.0.1'),
    port: port.default(9464),
    path: z.string().startsWith('/', 'must start with /').prefault('/metrics'),
    maxSeries: z
      .number()
      .int()
      .min(1)
      .default(2000)
      .meta({ description: 'Cap on exported label sets per metric; extra ones go to an overflow series.' }),
    maxScrapeSize: size()
      .prefault('32MiB')
      .meta({ description: 'Largest exposition served; a bigger scrape is answered 503 and counted.' }),
    maxConnections: z.number().int().min(1).default(16).meta({
      description:
        "Most connections the endpoint holds at once; further ones are closed at once, so scrapers cannot take the descriptors of the process (the host service, or the collector's receiver).",
    }),
    headersTimeout: duration({ minMs: 1000 }).prefault('10s').meta({
      description: 'A scrape request must send its headers within this, else it is answered 408 and closed.',
    }),
  }),
  { maxScrapeSize: 'maxScrapeBytes', headersTimeout: 'headersTimeoutMs' },
);

const url = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });

const retrySchema = withUnitNames(
  z
    .strictObject({
      enabled: z.boolean().default(true),
      initialInterval: duration().prefault('5s'),
      maxInterval: duration().prefault('30s'),
      multiplier: z.number().min(1).default(1.5),
      maxElapsedTime: duration().prefault('300s'),
    })
    .superRefine(
      (retry, ctx) => {
        if (retry.initialInterval > retry.maxInterval) {
          ctx.addIssue({
            code: 'custom',
            path: ['initialInterval'],
            message: `retry.initialInterval (${formatMs(retry.initialInterval)}) must be at most retry.maxInterval (${formatMs(retry.maxInterval)})`,
          });
        }
      },
      whenValid('initialInterval', 'maxInterval'),
    ),
  { initialInterval: 'initialIntervalMs', maxInterval: 'maxIntervalMs', maxElapsedTime: 'maxElapsedTimeMs' },
);

const otlpSchema = withUnitNames(
  z.strictObject({
    enabled: z
      .boolean()
      .optional()
      .meta({ description: 'Defaults to true when an endpoint is set here or in OTEL_EXPORTER_OTLP_*.' }),
    endpoint: url.optional().meta({
      description:
        'Base URL. http/protobuf and http/json append /v1/traces and /v1/metrics (default http://localhost:4318); grpc uses it as-is, scheme, host and port (default http://localhost:4317; https:// means TLS).',
    }),
    tracesEndpoint: url.optional().meta({
      description: 'Full URL for traces, used as-is (with grpc: its host and port); wins over endpoint.',
    }),
    metricsEndpoint: url.optional().meta({
      description: 'Full URL for metrics, used as-is (with grpc: its host and port); wins over endpoint.',
    }),
    protocol: z.enum(['http/protobuf', 'http/json', 'grpc']).prefault('http/protobuf').meta({
      description:
        'OTLP transport, as OTEL_EXPORTER_OTLP_PROTOCOL. grpc: span export, metric push and collector-mode forwarding over OTLP/gRPC (forwarded OTLP/JSON is converted to protobuf).',
    }),
    headers: z.record(z.string(), z.string()).default({}),
    compression: z.enum(['gzip', 'none']).prefault('gzip'),
    timeout: duration().prefault('10s'),
    exportInterval: duration().prefault('60s').meta({ description: 'How often metrics are pushed.' }),
    queue: z
      .strictObject({
        maxSize: z.number().int().min(1).default(2048),
        batchSize: z.number().int().min(1).default(512),
        maxBytes: size().prefault('32MiB').meta({
          description:
            'Collector mode: most request bytes the forwarding queue of each signal holds (in memory, and in the store with storage); a request past it is dropped (queue_full).',
        }),
      })
      .prefault({}),
    retry: retrySchema.prefault({}).meta({
      description:
        'Retries of span export and of collector-mode forwarding (traces and metrics). Metrics pushed every exportInterval are not retried by it: the official OTLP metric exporter retries within timeout, and the next push carries the cumulative totals again.',
    }),
  }),
  { timeout: 'timeoutMs', exportInterval: 'exportIntervalMs' },
);

export const exportersSchema = z.strictObject({
  prometheus: prometheusSchema.prefault({}),
  otlp: otlpSchema.prefault({}),
});
