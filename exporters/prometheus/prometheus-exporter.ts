/**
 * The Prometheus pull endpoint: OpenTelemetry's `PrometheusExporter` (a metric reader) fed by
 * {@link HeadroomMetricProducer}, served on `exporters.prometheus.host:port` + `path`.
 */
import { diag } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { emptyResource, type Resource } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { Agent } from '../../agent/index.ts';
import type { ResolvedConfig } from '../../config/index.ts';
import { HeadroomMetricProducer } from '../metrics/index.ts';
import { BoundedExposition } from './bounded-exposition.ts';
import { SERIALIZER_OPTIONS } from './exposition.ts';
import { closeMetricsServer, listenMetricsServer } from './metrics-server.ts';
import { scrapeHandler, scrapeMetrics } from './scrape-handler.ts';

/** The `exporters.prometheus` section of the resolved configuration. */
export type PrometheusConfig = ResolvedConfig['exporters']['prometheus'];

/** Options of {@link startPrometheusExporter}. */
export interface PrometheusExporterOptions {
  readonly agent: Agent;
  /** `exporters.prometheus`: enabled, host, port (0 = any free port), path, maxSeries, maxScrapeSize. */
  readonly config: PrometheusConfig;
  /** Resource shown as `target_info` (service.name, ...). @default an empty resource */
  readonly resource?: Resource;
}

/** A running Prometheus endpoint, or one that is not serving (disabled, or the port was refused). */
export type PrometheusExporterHandle =
  | {
      readonly listening: true;
      /** The metrics URL with the port actually bound, e.g. `http://127.0.0.1:9464/metrics`. */
      readonly url: string;
      /** The port actually bound (the configured one, or the one picked for port 0). */
      readonly port: number;
      readonly producer: HeadroomMetricProducer;
      /** Stops serving and releases the port. Idempotent; never rejects. */
      shutdown(): Promise<void>;
    }
  | {
      readonly listening: false;
      /** Why the server could not listen (EADDRINUSE, EACCES, ...); undefined when disabled. */
      readonly error: Error | undefined;
      /** Nothing to stop; resolves at once. */
      shutdown(): Promise<void>;
    };

/**
 * Serves the agent's metrics for Prometheus to scrape. Never rejects and never throws at run
 * time: a port that cannot be bound is reported through `diag.error` and the handle's `error`,
 * and the host keeps running without the endpoint. The server is unref'd, so it never keeps the
 * process alive (in collector mode the OTLP receiver does).
 * @example
 * const prometheus = await startPrometheusExporter({ agent, config: config.exporters.prometheus, resource });
 * if (prometheus.listening) console.log(`metrics at ${prometheus.url}`);
 * await prometheus.shutdown();
 */
export async function startPrometheusExporter(
  options: PrometheusExporterOptions,
): Promise<PrometheusExporterHandle> {
  const { agent, config } = options;
  if (!config.enabled) return notListening(undefined);
  const bounded = new BoundedExposition(config.maxScrapeBytes);
  const producer = new HeadroomMetricProducer({
    agent,
    maxSeries: config.maxSeries,
    sources: [scrapeMetrics(bounded)],
  });
  const exporter = new PrometheusExporter({
    // Headroom's own server listens instead (see metrics-server.ts); the exporter renders.
    preventServerStart: true,
    endpoint: config.path,
    metricProducers: [producer],
    ...SERIALIZER_OPTIONS,
  });
  // A MetricReader collects only once bound to a MeterProvider; its resource is the one served.
  const meterProvider = new MeterProvider({
    resource: options.resource ?? emptyResource(),
    readers: [exporter],
  });
  const result = await listenMetricsServer({
    host: config.host,
    port: config.port,
    path: config.path,
    handle: scrapeHandler(exporter, bounded),
    maxConnections: config.maxConnections,
    headersTimeoutMs: config.headersTimeoutMs,
  });
  if (!result.listening) {
    diag.error(
      `headroom: Prometheus endpoint cannot listen on ${config.host}:${config.port} (${result.error.message}); metrics are not served`,
    );
    await stopQuietly(producer, meterProvider);
    return notListening(result.error);
  }
  let stopping: Promise<void> | undefined;
  return {
    listening: true,
    url: `http://${urlHost(config.host)}:${result.port}${config.path}`,
    port: result.port,
    producer,
    shutdown() {
      stopping ??= closeMetricsServer(result.server).then(() => stopQuietly(producer, meterProvider));
      return stopping;
    },
  };
}

function notListening(error: Error | undefined): PrometheusExporterHandle {
  return { listening: false, error, shutdown: () => Promise.resolve() };
}

async function stopQuietly(producer: HeadroomMetricProducer, meterProvider: MeterProvider): Promise<void> {
  producer.shutdown();
  try {
    await meterProvider.shutdown();
  } catch (error) {
    diag.error('headroom: Prometheus exporter shutdown failed', error);
  }
}

/** IPv6 literals need brackets in a URL. */
function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
