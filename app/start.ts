/**
 * The composition root of embedded mode: `start()` resolves the configuration, starts the
 * instrumentation and the agent, the exporters the configuration asks for (Prometheus pull
 * endpoint, OTLP traces and metrics) and SLOs with alerting, all shut down together by
 * `headroom.shutdown()`.
 */
import { diag } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { type Environment, processEnvironment, type ResolvedConfig } from '../config/index.ts';
import {
  alertMetrics,
  HeadroomMetricProducer,
  type MetricSource,
  otlpExporterMetrics,
  sloMetrics,
} from '../exporters/metrics/index.ts';
import { createOtlpMetricReader, createOtlpTraceProcessor } from '../exporters/otlp/index.ts';
import { startPrometheusExporter } from '../exporters/prometheus/index.ts';
import {
  type Headroom,
  resolveStartConfig,
  type StartOptions,
  serviceResource,
  start as startInstrumentation,
} from '../instrumentation/index.ts';
import { startAlerting } from './alerting.ts';
import { createJsonLogger, hasDiagLogger, registerDiagLogger } from './logging.ts';

/**
 * Starts embedded Headroom with the exporters its configuration enables.
 * @example
 * import { start } from 'headroom-otel';
 * const headroom = start({ configFiles: ['headroom.yaml'] });
 * await headroom.track('checkout', 'emergency', async (op) => checkout({ signal: op.signal }));
 */
export function start(options: StartOptions = {}): Headroom {
  const config = resolveStartConfig(options);
  if (!config.enabled) return startInstrumentation({ ...options, resolvedConfig: config });
  useDiagLoggerUnlessRegistered(options.env ?? processEnvironment());
  const otlp = config.exporters.otlp;
  const shutdownTimeoutMs = config.shutdown.timeout;
  const traceProcessor = otlp.enabled ? createOtlpTraceProcessor(otlp, { shutdownTimeoutMs }) : undefined;
  const headroom = startInstrumentation({
    ...options,
    resolvedConfig: config,
    spanProcessors: [...(options.spanProcessors ?? []), ...(traceProcessor ? [traceProcessor] : [])],
  });
  const alerting = startAlerting(headroom.agent);
  headroom.addShutdownHook(() => alerting.shutdown(shutdownTimeoutMs));
  const sources = [
    sloMetrics(
      () => alerting.slos.list(),
      () => alerting.slos.events(),
    ),
    alertMetrics(
      () => alerting.router.stats(),
      () => alerting.router.unrouted(),
    ),
  ];
  if (traceProcessor) sources.push(otlpExporterMetrics(() => traceProcessor.stats()));
  startMetricExport(headroom, config, sources);
  return headroom;
}

/** Starts the Prometheus endpoint (in the background: start() stays synchronous) and OTLP metrics. */
function startMetricExport(
  headroom: Headroom,
  config: ResolvedConfig,
  sources: readonly MetricSource[],
): void {
  const resource = serviceResource(config.service);
  const { prometheus, otlp } = config.exporters;
  if (prometheus.enabled) {
    const pending = startPrometheusExporter({ agent: headroom.agent, config: prometheus, resource }).then(
      (handle) => {
        if (handle.listening) for (const source of sources) handle.producer.addSource(source);
        return handle;
      },
    );
    headroom.addShutdownHook(async () => (await pending).shutdown());
    headroom.setMetricsEndpoint(
      pending.then((handle) =>
        handle.listening ? { url: handle.url } : { url: undefined, error: handle.error },
      ),
    );
  }
  if (otlp.enabled) {
    const producer = new HeadroomMetricProducer({
      agent: headroom.agent,
      resource,
      maxSeries: prometheus.maxSeries,
    });
    const meterProvider = new MeterProvider({
      resource,
      readers: [
        createOtlpMetricReader(otlp, {
          producers: [producer],
          shutdownTimeoutMs: config.shutdown.timeout,
        }),
      ],
    });
    headroom.addShutdownHook(async () => {
      producer.shutdown();
      await meterProvider
        .shutdown({ timeoutMillis: config.shutdown.timeout })
        .catch((error: unknown) => diag.error('headroom: metric export shutdown failed', error));
    });
  }
}

/**
 * When the service registered no diag logger, Headroom's (and the SDK's) diag messages go to
 * stderr as JSON lines at OTEL_LOG_LEVEL (default info), so a failure such as a taken Prometheus
 * port is visible. A logger the service registers later replaces this one.
 */
function useDiagLoggerUnlessRegistered(env: Environment): void {
  if (hasDiagLogger()) return;
  const { logger, level } = createJsonLogger({ env, base: { name: 'headroom' } });
  registerDiagLogger(logger, level);
}
