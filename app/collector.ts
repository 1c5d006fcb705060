/**
 * Collector mode: one Headroom agent for many services. It receives OTLP/HTTP, judges every
 * service's spans against the YAML budgets, serves decisions over HTTP/SSE, exposes its metrics
 * to Prometheus and forwards the telemetry to the OTLP backend. Reload keeps the running
 * configuration when the new one is invalid; shutdown drains within a bounded time.
 */

import { type OtlpReceiver, startReceiver } from '../agent/collector/receiver/index.ts';
import {
  Agent,
  type Clock,
  type DecisionApi,
  type LoadSampler,
  RuleMatcher,
  ServiceDirectory,
  startDecisionApi,
} from '../agent/index.ts';
import { type Environment, loadConfig, type ResolvedConfig } from '../config/index.ts';
import { HeadroomError, ListenError } from '../errors.ts';
import { forwarderMetrics, receiverMetrics, sloMetrics } from '../exporters/metrics/index.ts';
import { type ForwarderStats, OtlpForwarder } from '../exporters/otlp/index.ts';
import { type PrometheusExporterHandle, startPrometheusExporter } from '../exporters/prometheus/index.ts';
import { serviceResource } from '../instrumentation/index.ts';
import { type Alerting, startAlerting } from './alerting.ts';

export interface CollectorOptions {
  /** Configuration files, later ones win; read again on every reload. */
  readonly files: readonly string[];
  readonly env: Environment;
  /** Where the collector reports what it does (one line per event). */
  readonly log: (line: string) => void;
  readonly clock?: Clock;
  readonly loadSampler?: LoadSampler;
}

/** service.name of the collector itself (its own metrics' target_info). */
const OWN_SERVICE = 'headroom-agent';

export class Collector {
  readonly agent: Agent;
  readonly receiver: OtlpReceiver;
  readonly api: DecisionApi | undefined;
  readonly prometheus: PrometheusExporterHandle | undefined;
  readonly alerting: Alerting;
  readonly #options: CollectorOptions;
  readonly #forwarders: OtlpForwarder[];
  #config: ResolvedConfig;
  #stopping: Promise<void> | undefined;

  private constructor(parts: {
    options: CollectorOptions;
    config: ResolvedConfig;
    agent: Agent;
    receiver: OtlpReceiver;
    api: DecisionApi | undefined;
    prometheus: PrometheusExporterHandle | undefined;
    alerting: Alerting;
    forwarders: OtlpForwarder[];
  }) {
    this.#options = parts.options;
    this.#config = parts.config;
    this.agent = parts.agent;
    this.receiver = parts.receiver;
    this.api = parts.api;
    this.prometheus = parts.prometheus;
    this.alerting = parts.alerting;
    this.#forwarders = parts.forwarders;
  }

  /**
   * Loads the configuration and starts every listener.
   * @throws {ConfigInvalidError} / {ConfigReadError} for a bad configuration; {ListenError} when a port is taken
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
    const directory = new ServiceDirectory();
    const otlp = config.exporters.otlp;
    const traces = otlp.enabled ? new OtlpForwarder(otlp, 'traces') : undefined;
    const metrics = otlp.enabled ? new OtlpForwarder(otlp, 'metrics') : undefined;
    const receiver = await listening('OTLP receiver', config.receiver, () =>
      startReceiver({
        agent,
        rules: new RuleMatcher(config.rules),
        directory,
        config: config.receiver,
        onTraces: traces && ((body, type) => traces.forward(body, type)),
        onMetrics: metrics && ((body, type) => metrics.forward(body, type)),
      }),
    );
    const api = config.api.enabled
      ? await listening('decision API', config.api, () =>
          startDecisionApi({ agent, directory, config: config.api }),
        )
      : undefined;
    const resource = serviceResource({ ...config.service, name: config.service.name ?? OWN_SERVICE });
    const prometheus = config.exporters.prometheus.enabled
      ? await startPrometheusExporter({ agent, config: config.exporters.prometheus, resource })
      : undefined;
    const alerting = startAlerting(agent, { generatorUrl: api?.url });
    if (prometheus?.listening) {
      prometheus.producer.addSource(
        receiverMetrics(
          () => receiver.stats(),
          () => directory.refused,
        ),
      );
      const forwarded: Record<string, () => ForwarderStats> = {};
      if (traces) forwarded.traces = () => traces.stats();
      if (metrics) forwarded.metrics = () => metrics.stats();
      if (Object.keys(forwarded).length > 0) prometheus.producer.addSource(forwarderMetrics(forwarded));
      prometheus.producer.addSource(sloMetrics(() => alerting.slos.list()));
    }
    agent.start();
    const forwarders = [traces, metrics].filter((f): f is OtlpForwarder => f !== undefined);
    const collector = new Collector({
      options,
      config,
      agent,
      receiver,
      api,
      prometheus,
      alerting,
      forwarders,
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
   * rules, adaptive scaling, degradation); an invalid one is refused with every reason and the
   * running one stays. Listener addresses, limits and tokens need a restart.
   */
  reload(): boolean {
    let config: ResolvedConfig;
    try {
      config = loadConfig({ files: this.#options.files, env: this.#options.env });
    } catch (error) {
      const reason = error instanceof HeadroomError ? `${error.code}: ${error.message}` : String(error);
      this.#options.log(`reload refused, keeping the running configuration: ${reason}`);
      return false;
    }
    this.agent.reconfigure(config);
    this.receiver.setRules(new RuleMatcher(config.rules));
    this.alerting.reconfigure(config);
    const sections = {
      receiver: [config.receiver, this.#config.receiver],
      api: [config.api, this.#config.api],
      exporters: [config.exporters, this.#config.exporters],
      'alerting.channels': [config.alerting.channels, this.#config.alerting.channels],
    };
    const restartNeeded = Object.entries(sections)
      .filter(([, [next, running]]) => JSON.stringify(next) !== JSON.stringify(running))
      .map(([name]) => name);
    this.#config = config;
    const note =
      restartNeeded.length === 0
        ? ''
        : ` (changes to ${restartNeeded.join(', ')} take effect after a restart)`;
    this.#options.log(`configuration reloaded from ${this.#options.files.join(', ') || 'defaults'}${note}`);
    return true;
  }

  /**
   * Stops receiving (requests in flight finish), stops the API and the agent, and flushes the
   * forwarders, all within about `timeoutMs`. Idempotent.
   */
  shutdown(timeoutMs = 10_000): Promise<void> {
    this.#stopping ??= this.#shutdown(timeoutMs);
    return this.#stopping;
  }

  async #shutdown(timeoutMs: number): Promise<void> {
    this.#options.log('shutting down: draining the receiver and flushing exporters');
    await this.receiver.close();
    await this.api?.close();
    this.agent.stop();
    await Promise.all([
      ...this.#forwarders.map((forwarder) => forwarder.shutdown(timeoutMs / 2)),
      this.alerting.shutdown(timeoutMs / 2),
    ]);
    await this.prometheus?.shutdown();
    const dropped = this.#forwarders.reduce(
      (sum, f) => sum + Object.values(f.stats().dropped).reduce((a, b) => a + b, 0),
      0,
    );
    this.#options.log(`stopped${dropped > 0 ? ` (${dropped} forwarded requests dropped)` : ''}`);
  }

  #announce(): void {
    const log = this.#options.log;
    log(`receiving OTLP/HTTP on ${this.receiver.url} (POST /v1/traces, /v1/metrics)`);
    if (this.api !== undefined) log(`decision API on ${this.api.url}`);
    if (this.prometheus?.listening) log(`metrics on ${this.prometheus.url}`);
    else if (this.prometheus?.error !== undefined)
      log(`metrics endpoint not serving: ${this.prometheus.error.message}`);
    if (this.#forwarders.length > 0)
      log(`forwarding to ${this.#config.exporters.otlp.endpoint ?? 'the OTLP endpoint'}`);
  }
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
    throw new ListenError(what, `${at.host}:${at.port}`, { cause: error });
  }
}
