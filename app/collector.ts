/**
 * Collector mode: one Headroom agent for many services. It receives OTLP/HTTP, judges every
 * service's spans against the YAML budgets, serves decisions over HTTP/SSE, exposes its metrics
 * to Prometheus and forwards the telemetry to the OTLP backend. Reload keeps the running
 * configuration when the new one is invalid; shutdown drains within a bounded time.
 */

import { Agent, type Clock, type LoadSampler, RuleMatcher } from '../agent/index.ts';
import {
  connectDirectory,
  type DecisionApi,
  type FdBudget,
  fdBudget,
  type OtlpReceiver,
  readFdLimit,
  ServiceDirectory,
  startDecisionApi,
  startReceiver,
} from '../collector/index.ts';
import { type Environment, loadConfig, type ResolvedConfig } from '../config/index.ts';
import { HeadroomError, ListenError } from '../errors.ts';
import {
  alertMetrics,
  forwarderMetrics,
  invalidCriticalityMetrics,
  receiverMetrics,
  sloMetrics,
  stateMetrics,
} from '../exporters/metrics/index.ts';
import type { OtlpForwarder } from '../exporters/otlp/index.ts';
import { type PrometheusExporterHandle, startPrometheusExporter } from '../exporters/prometheus/index.ts';
import { serviceResource } from '../instrumentation/index.ts';
import { type Alerting, type AlertState, createAlertState, startAlerting } from './alerting.ts';
import { describeFds, sectionsNeedingRestart } from './collector-notes.ts';
import { type ShutdownReport, stopCollector } from './collector-shutdown.ts';
import { refusable, startForwarders } from './forwarders.ts';
import { liveViewOptions } from './live-view-options.ts';
import type { Logger } from './logging.ts';
import { StateCheckpoints } from './state-checkpoints.ts';
import { storePathOf } from './state-store-path.ts';
import { tenancyLine } from './tenancy-line.ts';

export interface CollectorOptions {
  /** Configuration files, later ones win; read again on every reload. */
  readonly files: readonly string[];
  readonly env: Environment;
  /** Where the collector reports what it does: one structured line per event (see app/logging.ts). */
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly loadSampler?: LoadSampler;
  /** The process's descriptor limit, shared between the listeners. @default readFdLimit (Linux /proc/self/limits) */
  readonly fdLimit?: () => number | undefined;
  /** Stops a start still waiting for the state store's lock: `start()` rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** service.name of the collector itself (its own metrics' target_info). */
const OWN_SERVICE = 'headroom-agent';

export class Collector {
  readonly agent: Agent;
  readonly receiver: OtlpReceiver;
  readonly api: DecisionApi | undefined;
  readonly prometheus: PrometheusExporterHandle | undefined;
  readonly alerting: Alerting;
  /** Durable state: restored at start, checkpointed while running; `undefined` with `storage.enabled: false`. */
  readonly checkpoints: StateCheckpoints | undefined;
  readonly #options: CollectorOptions;
  readonly #forwarders: OtlpForwarder[];
  readonly #fds: FdBudget;
  #config: ResolvedConfig;
  #stopping: Promise<ShutdownReport> | undefined;

  private constructor(parts: {
    options: CollectorOptions;
    config: ResolvedConfig;
    agent: Agent;
    receiver: OtlpReceiver;
    api: DecisionApi | undefined;
    prometheus: PrometheusExporterHandle | undefined;
    alerting: Alerting;
    checkpoints: StateCheckpoints | undefined;
    forwarders: OtlpForwarder[];
    fds: FdBudget;
  }) {
    this.#options = parts.options;
    this.#config = parts.config;
    this.agent = parts.agent;
    this.receiver = parts.receiver;
    this.api = parts.api;
    this.prometheus = parts.prometheus;
    this.alerting = parts.alerting;
    this.checkpoints = parts.checkpoints;
    this.#forwarders = parts.forwarders;
    this.#fds = parts.fds;
  }

  /**
   * Loads the configuration and starts every listener. Unless `storage.enabled` is false, the
   * state (windows, degradation, SLO histories, alert instances, the service directory) is
   * restored from the store (`storage.path`, default `data/headroom.db`) before the receiver
   * accepts traffic.
   * @throws {ConfigInvalidError} / {ConfigReadError} for a bad configuration; {ListenError} when a port is taken;
   *   {StoreLockedError} when another process holds the store past `storage.lockTimeout`;
   *   {StoreOpenError} when the store's path is a directory, a device or unwritable; the
   *   reason of `options.signal` when it aborts the wait for the lock
   */
  static async start(options: CollectorOptions): Promise<Collector> {
    const config = loadConfig({ files: options.files, env: options.env });
    // Remote services are judged without the collector's own event-loop and CPU load.
    const agent = new Agent({
      config,
      clock: options.clock,
      loadSampler: options.loadSampler,
      processLoad: false,
    });
    const directory = new ServiceDirectory({ limits: agent.registry.limits });
    connectDirectory(agent, directory);
    // Everything durable is restored before any listener opens and before the first tick.
    const state = createAlertState(agent);
    const path = storePathOf(config.storage, 'collector');
    const checkpoints =
      path === undefined
        ? undefined
        : await StateCheckpoints.open(
            { path, lockTimeoutMs: config.storage.lockTimeoutMs, signal: options.signal },
            { agent, ...state, directory },
            options.logger,
          );
    try {
      return await Collector.#startWith(options, config, agent, { directory, state, checkpoints });
    } catch (error) {
      checkpoints?.close(); // releases the lock: a failed start never keeps the store
      throw error;
    }
  }

  static async #startWith(
    options: CollectorOptions,
    config: ResolvedConfig,
    agent: Agent,
    restored: {
      directory: ServiceDirectory;
      state: AlertState;
      checkpoints: StateCheckpoints | undefined;
    },
  ): Promise<Collector> {
    const { directory, state, checkpoints } = restored;
    // With a store, what the last run left in the forwarding queue goes out before anything new.
    const { traces, metrics } = await startForwarders(config, checkpoints?.store, options.logger);
    // Streams and receiver connections share the descriptors: neither may take the other's.
    const fds = fdBudget((options.fdLimit ?? readFdLimit)(), {
      receiverConnections: config.receiver.maxConnections,
      streams: config.api.maxStreams,
    });
    const receiver = await listening('OTLP receiver', config.receiver, () =>
      startReceiver({
        agent,
        rules: new RuleMatcher(config.rules),
        directory,
        config: config.receiver,
        maxConnections: fds.receiverConnections,
        onTraces: traces && ((body, type, spans) => refusable(traces.forward(body, type, spans))),
        onMetrics: metrics && ((body, type, points) => refusable(metrics.forward(body, type, points))),
        // Half the shutdown bound lets accepted requests finish; the rest flushes the exporters.
        drainTimeoutMs: config.shutdown.timeoutMs / 2,
      }),
    );
    const api = config.api.enabled
      ? await listening('decision API', config.api, () =>
          startDecisionApi({
            agent,
            directory,
            config: config.api,
            saturation: () => saturation(agent, directory, config.receiver.maxMemoryBytes),
            maxStreams: fds.streams,
            maxConnections: fds.apiConnections,
            view: config.ui.enabled ? liveViewOptions(config, state.slos) : undefined,
          }),
        )
      : undefined;
    const resource = serviceResource({ ...config.service, name: config.service.name ?? OWN_SERVICE });
    const prometheus = config.exporters.prometheus.enabled
      ? await startPrometheusExporter({ agent, config: config.exporters.prometheus, resource })
      : undefined;
    const alerting = startAlerting(agent, { generatorUrl: api?.url, state });
    const forwarders = [traces, metrics].filter((f): f is OtlpForwarder => f !== undefined);
    if (prometheus?.listening) {
      prometheus.producer.addSource(
        receiverMetrics(
          () => receiver.stats(),
          () => directory.refused,
        ),
      );
      prometheus.producer.addSource(
        invalidCriticalityMetrics(undefined, () => ({ span: receiver.invalidCriticalities })),
      );
      if (forwarders.length > 0)
        prometheus.producer.addSource(forwarderMetrics(() => forwarders.map((f) => f.stats())));
      prometheus.producer.addSource(
        sloMetrics(
          () => alerting.slos.list(),
          () => alerting.slos.events(),
        ),
      );
      prometheus.producer.addSource(
        alertMetrics(
          () => alerting.router.stats(),
          () => alerting.router.unrouted(),
        ),
      );
      if (checkpoints !== undefined)
        prometheus.producer.addSource(
          stateMetrics(() => ({ mode: 'persistent', checkpoints: checkpoints.stats })),
        );
    }
    agent.start();
    checkpoints?.start(config.storage.checkpointIntervalMs);
    for (const forwarder of forwarders) forwarder.start();
    const collector = new Collector({
      options,
      config,
      agent,
      receiver,
      api,
      prometheus,
      alerting,
      checkpoints,
      forwarders,
      fds,
    });
    collector.#announce();
    return collector;
  }

  /** The configuration in force. */
  get config(): ResolvedConfig {
    return this.#config;
  }

  /**
   * Reads the configuration files again. A valid configuration takes effect at once (budgets,
   * rules, adaptive scaling, degradation, API tokens); an invalid one, or an empty file (a likely
   * partial write), is refused with every reason and the running one stays. Listener addresses and
   * limits need a restart.
   */
  reload(): boolean {
    let config: ResolvedConfig;
    try {
      config = loadConfig({ files: this.#options.files, env: this.#options.env, refuseEmpty: true });
    } catch (error) {
      const reason = error instanceof HeadroomError ? `${error.code}: ${error.message}` : String(error);
      this.#options.logger.warn(
        { code: error instanceof HeadroomError ? error.code : undefined },
        `reload refused, keeping the running configuration: ${reason}`,
      );
      return false;
    }
    this.agent.reconfigure(config);
    this.receiver.setRules(new RuleMatcher(config.rules));
    this.receiver.setTokens(config.receiver.tokens);
    this.alerting.reconfigure(config);
    // Sender and API tokens apply at once (a revoked token stops working); see sectionsNeedingRestart.
    this.api?.reconfigure(config.api);
    const restartNeeded = sectionsNeedingRestart(config, this.#config);
    this.#config = config;
    const note =
      restartNeeded.length === 0
        ? ''
        : ` (changes to ${restartNeeded.join(', ')} take effect after a restart)`;
    this.#options.logger.info(
      { restartNeeded },
      `configuration reloaded from ${this.#options.files.join(', ') || 'defaults'}${note}`,
    );
    return true;
  }

  /**
   * Stops receiving (accepted requests get their response), stops the API and the agent, and
   * flushes the forwarders and alert channels, all within `timeoutMs`; at the bound what is left
   * is dropped and counted. Logs and resolves with what was dropped. Idempotent; never rejects.
   * @param timeoutMs @default `shutdown.timeout` of the configuration in force (10 s)
   */
  shutdown(timeoutMs = this.#config.shutdown.timeoutMs): Promise<ShutdownReport> {
    this.#stopping ??= stopCollector(this, timeoutMs, this.#options.logger);
    return this.#stopping;
  }

  /** The forwarders, in signal order (traces, metrics). */
  get forwarders(): readonly OtlpForwarder[] {
    return this.#forwarders;
  }

  #announce(): void {
    const logger = this.#options.logger;
    logger.info(`receiving OTLP/HTTP on ${this.receiver.url} (POST /v1/traces, /v1/metrics)`);
    if (this.receiver.grpcAddress !== undefined)
      logger.info(
        `receiving OTLP/gRPC on ${this.receiver.grpcAddress} (TraceService, MetricsService Export)`,
      );
    logger.info(tenancyLine(this.#config.receiver.tokens));
    if (this.api !== undefined) logger.info(`decision API on ${this.api.url}`);
    if (this.api !== undefined && this.#config.ui.enabled)
      logger.info(`live view on ${this.api.url}/ui/ (API: GET /api/v1/view, /api/v1/view/stream)`);
    logger.info(describeFds(this.#fds));
    if (this.prometheus?.listening) logger.info(`metrics on ${this.prometheus.url}`);
    else if (this.prometheus?.error !== undefined)
      logger.warn({ err: this.prometheus.error }, 'metrics endpoint not serving');
    if (this.#forwarders.length > 0)
      logger.info(`forwarding to ${this.#config.exporters.otlp.endpoint ?? 'the OTLP endpoint'}`);
  }
}

/** Why the agent cannot take more now (readiness): memory over its ceiling, a cap reached. */
function saturation(agent: Agent, directory: ServiceDirectory, maxMemoryBytes: number): string[] {
  const reasons: string[] = [];
  const heapBytes = process.memoryUsage().heapUsed;
  if (heapBytes > maxMemoryBytes)
    reasons.push(`heap ${mib(heapBytes)} is over receiver.maxMemory (${mib(maxMemoryBytes)})`);
  const { limits } = agent.config;
  if (directory.size >= limits.services)
    reasons.push(`${directory.size} services known, limits.services is ${limits.services}`);
  if (directory.namespaces >= limits.namespaces)
    reasons.push(`${directory.namespaces} namespaces known, limits.namespaces is ${limits.namespaces}`);
  const series = agent.registry.regularSize;
  if (series >= agent.registry.maxSeries)
    reasons.push(`${series} series held, window.maxSeries is ${agent.registry.maxSeries}`);
  return reasons;
}

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

/** Starts a listener, turning a bind failure (EADDRINUSE, EACCES) into a {@link ListenError}. */
async function listening<T>(
  what: string,
  at: { host: string; port: number },
  start: () => Promise<T>,
): Promise<T> {
  try {
    return await start();
  } catch (error) {
    if (error instanceof ListenError) throw error; // the OTLP/gRPC listener's, naming its own address
    throw new ListenError(what, `${at.host}:${at.port}`, { cause: error });
  }
}
