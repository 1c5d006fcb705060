/**
 * The composition root of embedded mode: `start()` resolves the configuration, starts the
 * instrumentation and the agent, the exporters the configuration asks for (Prometheus pull
 * endpoint, OTLP traces and metrics) and SLOs with alerting, all shut down together by
 * `headroom.shutdown()`.
 */
import { diag } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { SloTracker } from '../agent/index.ts';
import {
  type ConfigOptions,
  type Environment,
  processEnvironment,
  type ResolvedConfig,
  resolveConfig,
} from '../config/index.ts';
import {
  alertMetrics,
  clientThrottleMetrics,
  HeadroomMetricProducer,
  invalidCriticalityMetrics,
  type MetricSource,
  otlpExporterMetrics,
  sloMetrics,
} from '../exporters/metrics/index.ts';
import { createOtlpMetricReader, createOtlpTraceProcessor } from '../exporters/otlp/index.ts';
import { startPrometheusExporter } from '../exporters/prometheus/index.ts';
import {
  type AgentRole,
  type EmbeddedHeadroom,
  type Headroom,
  type InstrumentationOptions,
  serviceResource,
  startInstrumentation,
} from '../instrumentation/index.ts';
import { createAlertState, startAlerting } from './alerting.ts';
import { keepEmbeddedState } from './embedded-store.ts';
import { createJsonLogger, hasDiagLogger, registerDiagLogger } from './logging.ts';
import { storePathOf } from './state-store-path.ts';

/** What `start()` takes: where the configuration comes from and how Headroom meets OpenTelemetry. */
export interface StartOptions
  extends ConfigOptions,
    Omit<InstrumentationOptions, 'clock' | 'loadSampler' | 'random'> {}

/** {@link StartOptions} plus the test doubles (clock, load sampler, random) the package's own tests and demo use. */
export interface EmbeddedStartOptions extends StartOptions, InstrumentationOptions {}

/**
 * Starts embedded Headroom: loads and validates the configuration, sets up OpenTelemetry, starts
 * the agent and the exporters the configuration enables (Prometheus endpoint, OTLP traces and
 * metrics), SLOs and alerting; with `storage.path`, durable state (opened in the background:
 * restored once open, checkpointed while running; a locked or unusable store leaves the service in
 * memory with one warning); `headroom.shutdown()` stops them all, with a last checkpoint.
 * @throws {ConfigReadError} `HEADROOM_ERR_CONFIG_READ` when a config file cannot be read
 * @throws {ConfigInvalidError} `HEADROOM_ERR_CONFIG_INVALID` with every problem of the configuration
 * @example
 * import { start } from 'headroom-otel';
 * const headroom = start({ configFiles: ['headroom.yaml'] });
 * await headroom.track('checkout', 'emergency', async (op) => checkout({ signal: op.signal }));
 * if (headroom.features.enabled('recommendations')) addRecommendations();
 */
export function start(options: StartOptions = {}): Headroom {
  return startEmbedded(options);
}

/**
 * {@link start}, returning the whole {@link EmbeddedHeadroom} (its agent, shutdown hooks);
 * `extraSources` add metrics to its exports (cluster mode's own).
 */
export function startEmbedded(
  options: EmbeddedStartOptions = {},
  extraSources: readonly MetricSource[] = [],
): EmbeddedHeadroom {
  const config = resolveConfig(options);
  if (!config.enabled) return withHostProducer(startInstrumentation(config, options), config, []);
  const { headroom, traceProcessor } = startTracing(config, options);
  const shutdownTimeoutMs = config.shutdown.timeoutMs;
  const alertState = createAlertState(headroom.agent);
  const alerting = startAlerting(headroom.agent, { state: alertState });
  headroom.addShutdownHook(() => alerting.shutdown(shutdownTimeoutMs));
  const sources: MetricSource[] = [...extraSources];
  // Without SLOs, no SLO families at all: a prom-client registry would show them empty.
  if (config.slos.length > 0)
    sources.push(
      sloMetrics(
        () => alerting.slos.list(),
        () => alerting.slos.events(),
      ),
    );
  sources.push(
    alertMetrics(
      () => alerting.router.stats(),
      () => alerting.router.unrouted(),
    ),
  );
  if (traceProcessor) sources.push(otlpExporterMetrics(() => traceProcessor.stats()));
  sources.push(clientThrottleMetrics(headroom, () => headroom.clientThrottles.stats()));
  sources.push(invalidCriticalityMetrics(headroom, () => headroom.invalidCriticalities()));
  const storePath = storePathOf(config.storage, 'embedded');
  if (storePath !== undefined)
    sources.push(keepEmbeddedState(headroom, config.storage, storePath, alertState));
  startMetricExport(headroom, config, sources);
  if (config.ui.enabled) startLiveView(headroom, config, alertState.slos);
  return withHostProducer(headroom, config, sources);
}

/**
 * Starts the live view listener in the background; its module is imported only now, so a service
 * without `ui.enabled` never loads view/.
 */
function startLiveView(headroom: EmbeddedHeadroom, config: ResolvedConfig, slos: SloTracker): void {
  const stopping = import('./view-listener.ts').then(
    (module) => module.startViewInBackground(headroom.agent, config, slos),
    (error: unknown) => {
      diag.error('headroom: the live view could not be loaded', error);
      return async () => {};
    },
  );
  headroom.addShutdownHook(async () => (await stopping)());
}

/**
 * The tracing half of {@link startEmbedded} for an enabled `config`: the diag logger, OTLP span
 * export when configured, and the instrumentation with its agent (run as `role` says).
 */
export function startTracing(config: ResolvedConfig, options: EmbeddedStartOptions, role?: AgentRole) {
  useDiagLoggerUnlessRegistered(options.env ?? processEnvironment());
  const otlp = config.exporters.otlp;
  const shutdownTimeoutMs = config.shutdown.timeoutMs;
  // A host SDK (`sdk: 'external'`) exports its spans itself; `exporters.otlp` then pushes metrics only.
  const exportsTraces = otlp.enabled && options.sdk !== 'external';
  const traceProcessor = exportsTraces ? createOtlpTraceProcessor(otlp, { shutdownTimeoutMs }) : undefined;
  const spanProcessors = [...(options.spanProcessors ?? []), ...(traceProcessor ? [traceProcessor] : [])];
  const headroom = startInstrumentation(config, { ...options, spanProcessors }, role);
  return { headroom, traceProcessor };
}

/**
 * Gives `headroom.metricProducer()` its producer: the metrics of Headroom's own endpoint (the same
 * sources, `exporters.prometheus.maxSeries`) for the service's pipeline, created at the first call
 * (degradation decisions are counted from then) and stopped by `headroom.shutdown()`.
 */
function withHostProducer(
  headroom: EmbeddedHeadroom,
  config: ResolvedConfig,
  sources: readonly MetricSource[],
): EmbeddedHeadroom {
  let producer: HeadroomMetricProducer | undefined;
  headroom.setMetricProducer(() => {
    producer ??= new HeadroomMetricProducer({
      agent: headroom.agent,
      resource: serviceResource(config.service),
      maxSeries: config.exporters.prometheus.maxSeries,
      sources,
    });
    return producer;
  });
  headroom.addShutdownHook(() => producer?.shutdown());
  return headroom;
}

/** Starts the Prometheus endpoint (in the background: start() stays synchronous) and OTLP metrics. */
function startMetricExport(
  headroom: EmbeddedHeadroom,
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
          shutdownTimeoutMs: config.shutdown.timeoutMs,
        }),
      ],
    });
    headroom.addShutdownHook(async () => {
      producer.shutdown();
      await meterProvider
        .shutdown({ timeoutMillis: config.shutdown.timeoutMs })
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
