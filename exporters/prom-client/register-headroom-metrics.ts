/**
 * Headroom's metrics inside a service's prom-client registry, so one `/metrics` serves both: each
 * Headroom family is registered as a metric of the registry, and one Headroom collection per
 * scrape fills them all. Loaded only through `headroom-otel/prom-client`, so an embedded
 * `import 'headroom-otel'` never loads prom-client.
 */
import { diag } from '@opentelemetry/api';
import type { MetricData, MetricProducer } from '@opentelemetry/sdk-metrics';
import { register as globalRegistry, type Metric, type Registry } from 'prom-client';
import { InvalidArgumentError, MetricNameTakenError } from '../../errors.ts';
import { HeadroomMetricProducer, type MetricFamily } from '../metrics/index.ts';
import { PromClientFamily } from './prom-client-families.ts';

/** What {@link registerHeadroomMetrics} uses of a registry (a prom-client `Registry` of either content type). */
export type PromClientRegistry = Pick<Registry, 'getSingleMetric' | 'registerMetric'>;

/** Options of {@link registerHeadroomMetrics}. */
export interface RegisterHeadroomMetricsOptions {
  /** The registry that serves `/metrics`. @default prom-client's global `register` */
  readonly register?: PromClientRegistry;
}

/** The Headroom `start()` returned (its `metricProducer()`). */
export interface MetricProducerSource {
  metricProducer(): MetricProducer;
}

/**
 * Registers Headroom's metrics in a prom-client registry: `registry.metrics()` then serves them
 * beside the service's own, with the names, HELP, TYPE and labels of Headroom's own endpoint, and
 * `exporters.prometheus.maxSeries` capping label sets per metric (the rest folded into overflow
 * label sets, counted in `headroom_exporter_series_overflowed_total`). A scrape never fails or
 * throws because of Headroom: a failing part is left out, logged and counted in
 * `headroom_metric_collection_errors_total`. Turn Headroom's own port off with
 * `exporters.prometheus.enabled: false`.
 * @throws {MetricNameTakenError} `HEADROOM_ERR_METRICS_NAME_TAKEN` when the registry already has
 * one of Headroom's metric names (registered twice); nothing is registered then
 * @throws {InvalidArgumentError} `HEADROOM_ERR_API_INVALID_ARGUMENT` when `headroom` is not one
 * `start()` returned
 * @example
 * import { collectDefaultMetrics, register } from 'prom-client';
 * collectDefaultMetrics();
 * registerHeadroomMetrics(headroom);
 * // GET /metrics: res.end(await register.metrics())
 */
export function registerHeadroomMetrics(
  headroom: MetricProducerSource,
  options: RegisterHeadroomMetricsOptions = {},
): void {
  const producer = headroom?.metricProducer?.();
  if (!(producer instanceof HeadroomMetricProducer)) {
    throw new InvalidArgumentError(
      'headroom',
      'registerHeadroomMetrics: expected the Headroom that start() returned',
    );
  }
  const registry = options.register ?? globalRegistry;
  producer.collectNow();
  const families = producer.families();
  const taken = families.find((family) => registry.getSingleMetric(family.descriptor.name) !== undefined);
  if (taken !== undefined) throw new MetricNameTakenError(taken.descriptor.name);
  const scrapes = new ScrapeCollections(producer, registry);
  for (const family of families) scrapes.register(family);
}

/**
 * One Headroom collection shared by every family of one scrape (the registry asks all its metrics
 * at once), and the families a collection offers for the first time registered for later scrapes.
 */
class ScrapeCollections {
  readonly #producer: HeadroomMetricProducer;
  readonly #registry: PromClientRegistry;
  readonly #registered = new Set<string>();
  #pending: Promise<Map<string, MetricData>> | undefined;

  constructor(producer: HeadroomMetricProducer, registry: PromClientRegistry) {
    this.#producer = producer;
    this.#registry = registry;
  }

  register(family: MetricFamily): void {
    const { name } = family.descriptor;
    this.#registered.add(name);
    const metric = new PromClientFamily(
      family,
      async () => (await this.#current()).get(name),
      (error) => this.#failed(error),
    );
    // prom-client types registerMetric for its own metric classes; a registry serves any object
    // with a name, help, type, get() and reset() (its getMetricsAsString and resetMetrics).
    this.#registry.registerMetric(metric as unknown as Metric);
  }

  #current(): Promise<Map<string, MetricData>> {
    if (this.#pending === undefined) {
      // Collected once every family of this scrape has asked (they ask in one synchronous loop).
      const pending = Promise.resolve().then(() => this.#collect());
      this.#pending = pending;
      void pending.then(() => {
        if (this.#pending === pending) this.#pending = undefined;
      });
    }
    return this.#pending;
  }

  #collect(): Map<string, MetricData> {
    const byName = new Map<string, MetricData>();
    try {
      const { resourceMetrics, errors } = this.#producer.collectNow();
      if (errors.length > 0) diag.error('headroom: metrics collection errors', ...errors);
      for (const scope of resourceMetrics.scopeMetrics)
        for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
      this.#registerNewFamilies();
    } catch (error) {
      this.#failed(error);
    }
    return byName;
  }

  #failed(error: unknown): void {
    this.#producer.countFailure();
    diag.error("headroom: Headroom's metrics failed; left out of this scrape", error);
  }

  /** A family first offered now (a part that failed before, say) is served from the next scrape on. */
  #registerNewFamilies(): void {
    for (const family of this.#producer.families()) {
      const { name } = family.descriptor;
      if (this.#registered.has(name)) continue;
      if (this.#registry.getSingleMetric(name) === undefined) this.register(family);
      else {
        this.#registered.add(name);
        diag.warn(`headroom: the registry already has a metric named ${name}; Headroom's is left out`);
      }
    }
  }
}
