/**
 * Headroom's metric families as prom-client metrics: each family is an object a prom-client
 * `Registry` serves like its own (`get()` gives the name, help, type and values), filled from one
 * Headroom collection per scrape. The values are the lines Headroom's own endpoint serves: same
 * names, HELP, TYPE, labels and order (histograms: `_count`, `_sum`, then cumulative `_bucket`s
 * with `le` last); prom-client's text format has no `# UNIT` comments (the names end in the unit).
 */
import type { Attributes } from '@opentelemetry/api';
import { DataPointType, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import type { FamilyType, MetricFamily } from '../metrics/index.ts';

/** One line of a family as prom-client takes it (`metricName` for the `_bucket`, `_sum`, `_count` lines). */
export interface FamilyValue {
  readonly metricName?: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** What prom-client's `Registry` reads from a metric (`get()`), and `reset()` it may call. */
export interface FamilySnapshot {
  readonly name: string;
  readonly help: string;
  readonly type: FamilyType;
  readonly aggregator: 'sum' | 'max';
  readonly values: readonly FamilyValue[];
}

/** The family's data of the current scrape, or `undefined` when it has no points (or failed). */
export type FamilyData = () => Promise<MetricData | undefined>;

/**
 * A Headroom family registered in a prom-client registry. `name` is public and mutable because
 * an OpenMetrics registry renames counters (it strips `_total` and adds it back on each line).
 */
export class PromClientFamily {
  name: string;
  readonly help: string;
  readonly type: FamilyType;
  // prom-client's cluster aggregation (AggregatorRegistry) merges workers by this rule: sums for
  // counters and histograms, the worst value for gauges, as Headroom's own overflow folding does.
  readonly aggregator: 'sum' | 'max';
  readonly #data: FamilyData;
  readonly #onError: (error: unknown) => void;

  /** `data` never rejects; `onError` hears a failure to turn it into lines (the family is then empty). */
  constructor(family: MetricFamily, data: FamilyData, onError: (error: unknown) => void) {
    this.name = family.descriptor.name;
    this.help = family.descriptor.description;
    this.type = family.type;
    this.aggregator = family.type === 'gauge' ? 'max' : 'sum';
    this.#data = data;
    this.#onError = onError;
  }

  /** The family's lines of this scrape; no lines when Headroom has none. Never rejects. */
  async get(): Promise<FamilySnapshot> {
    const data = await this.#data();
    let values: FamilyValue[] = [];
    try {
      if (data !== undefined) values = familyValues(this.name, data);
    } catch (error) {
      this.#onError(error);
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Headroom's values are cumulative state read at each scrape: nothing to reset. */
  reset(): void {}
}

/**
 * The lines of `data` under `name`, as the OpenTelemetry Prometheus serializer writes them; none
 * for an exponential histogram (Headroom produces none; the serializer cannot write them either).
 */
export function familyValues(name: string, data: MetricData): FamilyValue[] {
  if (data.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM) return [];
  if (data.dataPointType !== DataPointType.HISTOGRAM) {
    return data.dataPoints.map((point) => ({ labels: labelsOf(point.attributes), value: point.value }));
  }
  const values: FamilyValue[] = [];
  for (const point of data.dataPoints) {
    const labels = labelsOf(point.attributes);
    const histogram: Histogram = point.value;
    values.push({ metricName: `${name}_count`, labels, value: histogram.count });
    if (histogram.sum !== undefined) values.push({ metricName: `${name}_sum`, labels, value: histogram.sum });
    const { boundaries, counts } = histogram.buckets;
    let cumulative = 0;
    counts.forEach((count, index) => {
      cumulative += count;
      const bound = boundaries[index];
      const le = bound === undefined || bound === Number.POSITIVE_INFINITY ? '+Inf' : String(bound);
      values.push({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: cumulative });
    });
  }
  return values;
}

/** Label values as the OpenTelemetry serializer prints them: strings as-is, others as JSON. */
function labelsOf(attributes: Attributes): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes)) {
    labels[key] = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  }
  return labels;
}
