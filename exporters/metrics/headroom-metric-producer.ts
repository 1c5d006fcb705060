/**
 * The agent's state as OpenTelemetry metrics, built when a reader collects: nothing is recorded
 * through OpenTelemetry instruments on the hot path (an instrument record costs about 2 µs; the
 * agent's record path about 0.2 µs), so every metric is pre-aggregated data read from the agent.
 */
import { millisToHrTime } from '@opentelemetry/core';
import { emptyResource, type Resource } from '@opentelemetry/resources';
import type { CollectionResult, MetricProducer } from '@opentelemetry/sdk-metrics';
import { type Agent, type Clock, HEADROOM_SCOPE } from '../../agent/index.ts';
import { MetricsOptionsError } from '../../errors.ts';
import { addAdmissionMetrics, admissionStates } from './admission-metrics.ts';
import type { MetricSource } from './component-metrics.ts';
import { addDegradationMetrics, TransitionCounts } from './degradation-metrics.ts';
import { addHealthMetrics } from './health-metrics.ts';
import { METRICS } from './metric-descriptors.ts';
import { type MetricFamily, MetricSink } from './metric-sink.ts';
import { addTotalsMetrics } from './totals-metrics.ts';
import { addWindowMetrics } from './window-metrics.ts';

/** Options of a {@link HeadroomMetricProducer}. */
export interface HeadroomMetricProducerOptions {
  readonly agent: Agent;
  /** Resource of the collected metrics (Prometheus `target_info`). @default an empty resource */
  readonly resource?: Resource;
  /**
   * Most label sets per metric, counted by series (per-series metrics) or by service; the points of
   * the others fold into overflow label sets. `exporters.prometheus.maxSeries` in the configuration.
   */
  readonly maxSeries: number;
  /** Time of collections (window snapshots, timestamps). @default the agent's clock */
  readonly clock?: Clock;
  /** Metrics of other components (receiver, OTLP exporter), added at each collection. */
  readonly sources?: readonly MetricSource[];
}

/**
 * A `MetricProducer` for `metricProducers` of any OpenTelemetry metric reader (the Prometheus
 * exporter, a periodic OTLP reader). Collection never throws: a failing part is left out and its
 * error returned in `errors`, as the SDK does for observable callbacks; the readers report them
 * through `diag` (PrometheusExporter and PeriodicExportingMetricReader both do).
 * @example
 * const producer = new HeadroomMetricProducer({ agent, maxSeries: 2000 });
 * const reader = new PrometheusExporter({ metricProducers: [producer] });
 */
export class HeadroomMetricProducer implements MetricProducer {
  readonly #agent: Agent;
  readonly #resource: Resource;
  readonly #maxSeries: number;
  readonly #clock: Clock;
  readonly #startMs: number;
  readonly #transitions: TransitionCounts;
  #exporterOverflowed = 0;
  #collectionErrors = 0;
  readonly #sources: MetricSource[];
  // Every family any collection offered, by name, in first-offered order.
  readonly #families = new Map<string, MetricFamily>();

  /**
   * @throws MetricsOptionsError (`HEADROOM_ERR_METRICS_OPTIONS_INVALID`) when `maxSeries` is not a
   * positive integer (the config schema prevents it).
   */
  constructor(options: HeadroomMetricProducerOptions) {
    const { agent, maxSeries } = options;
    if (!(Number.isSafeInteger(maxSeries) && maxSeries > 0)) {
      throw new MetricsOptionsError(
        'maxSeries',
        `HeadroomMetricProducer: maxSeries must be a positive integer, got ${maxSeries}`,
      );
    }
    this.#agent = agent;
    this.#resource = options.resource ?? emptyResource();
    this.#maxSeries = maxSeries;
    this.#clock = options.clock ?? agent.clock;
    this.#startMs = this.#clock.now();
    this.#transitions = new TransitionCounts(agent, maxSeries);
    this.#sources = [...(options.sources ?? [])];
  }

  /** Adds a component's metrics to every later collection (e.g. once the receiver listens). */
  addSource(source: MetricSource): void {
    this.#sources.push(source);
  }

  /** Builds every metric from the agent's current state. Never rejects. */
  async collect(): Promise<CollectionResult> {
    return this.collectNow();
  }

  /**
   * {@link collect}, synchronously. Never throws: a part that throws is left out, its error
   * returned in `errors` and counted in `headroom_metric_collection_errors_total`; if the
   * collection itself fails (its clock, say), it gives no metrics and that error.
   */
  collectNow(): CollectionResult {
    try {
      return this.#collect();
    } catch (error) {
      this.#collectionErrors++;
      return { resourceMetrics: { resource: this.#resource, scopeMetrics: [] }, errors: [error] };
    }
  }

  #collect(): CollectionResult {
    const nowMs = this.#clock.now();
    const sink = new MetricSink(
      { startTime: millisToHrTime(this.#startMs), endTime: millisToHrTime(nowMs) },
      this.#maxSeries,
    );
    const errors: unknown[] = [];
    const agent = this.#agent;
    const seriesList = attempt(errors, () => agent.registry.list()) ?? [];
    attempt(errors, () => addTotalsMetrics(sink, agent, seriesList));
    attempt(errors, () => addWindowMetrics(sink, agent, seriesList, nowMs));
    attempt(errors, () => addDegradationMetrics(sink, agent, this.#transitions));
    attempt(errors, () => addAdmissionMetrics(sink, admissionStates(agent)));
    this.#exporterOverflowed += sink.folded;
    attempt(errors, () => addHealthMetrics(sink, agent, this.#exporterOverflowed));
    for (const source of this.#sources) attempt(errors, () => source(sink));
    this.#collectionErrors += errors.length;
    sink.counter(METRICS.collectionErrors, [{ attributes: {}, value: this.#collectionErrors }]);
    for (const family of sink.families) {
      if (!this.#families.has(family.descriptor.name)) this.#families.set(family.descriptor.name, family);
    }
    return {
      resourceMetrics: {
        resource: this.#resource,
        scopeMetrics: [{ scope: { name: HEADROOM_SCOPE }, metrics: sink.metrics }],
      },
      errors,
    };
  }

  /** Every metric family the collections so far offered (with or without points), in first-offered order. */
  families(): readonly MetricFamily[] {
    return [...this.#families.values()];
  }

  /**
   * Counts a failure of a reader's own handling of a collection (in
   * `headroom_metric_collection_errors_total`, from the next collection on).
   */
  countFailure(): void {
    this.#collectionErrors++;
  }

  /** Stops counting degradation decisions; later collections still work. Idempotent. */
  shutdown(): void {
    this.#transitions.close();
  }
}

/** Runs one part of a collection; a part that throws is left out and its error kept for the reader. */
function attempt<T>(errors: unknown[], part: () => T): T | undefined {
  try {
    return part();
  } catch (error) {
    errors.push(error);
    return undefined;
  }
}
