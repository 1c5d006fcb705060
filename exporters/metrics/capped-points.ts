/**
 * Cardinality protection at collection time: a metric keeps the label sets of its first
 * `maxSeries` identities (a series, a service) and folds the points of the others into overflow
 * label sets, merged by a rule that keeps the metric meaningful (sum for counters and histograms,
 * max for gauges: the worst latency or level of the folded ones).
 */
import type { Attributes } from '@opentelemetry/api';
import { NAMESPACE_LABEL, OVERFLOW_OPERATION } from '../../agent/index.ts';
import { OVERFLOW_SERVICE } from './metric-descriptors.ts';

/** One data point before timestamps: its labels and value. */
export interface Point<V> {
  readonly attributes: Attributes;
  value: V;
}

/** Where an identity beyond the cap goes, and which label sets already are overflow ones. */
export interface FoldTarget {
  /** The overflow label set of a folded point's labels. */
  readonly overflowOf: (attributes: Attributes) => Attributes;
  /** true for labels that already are an overflow label set (e.g. the registry's own overflow series). */
  readonly isOverflow: (attributes: Attributes) => boolean;
}

/**
 * Per-series metrics fold into `operation="__overflow__"`, keeping service, context and phase, so
 * per-context sums (within-budget ratios, quantiles) stay exact. This is the label set the agent's
 * registry uses for its own overflow series, which therefore merge with the exporter's.
 */
export const SERIES_FOLD: FoldTarget = Object.freeze({
  overflowOf: (attributes: Attributes) => ({ ...attributes, operation: OVERFLOW_OPERATION }),
  isOverflow: (attributes: Attributes) => attributes.operation === OVERFLOW_OPERATION,
});

/** Per-service metrics fold into `service="__overflow__"`, without `service_namespace`. */
export const SERVICE_FOLD: FoldTarget = Object.freeze({
  overflowOf: (attributes: Attributes) => {
    const { [NAMESPACE_LABEL]: _namespace, ...rest } = attributes;
    return { ...rest, service: OVERFLOW_SERVICE };
  },
  isOverflow: (attributes: Attributes) => attributes.service === OVERFLOW_SERVICE,
});

/** Options of a {@link CappedPoints}. */
export interface CappedPointsOptions<V> {
  /** Most identities kept with their own label sets; validated by the producer. */
  readonly maxSeries: number;
  readonly fold: FoldTarget;
  /** Combines two values that land on the same overflow label set; must not mutate its arguments. */
  readonly merge: (a: V, b: V) => V;
}

/** The points of one metric, capped by identity. */
export class CappedPoints<V> {
  readonly #options: CappedPointsOptions<V>;
  readonly #kept = new Set<unknown>();
  readonly #folded = new Set<unknown>();
  readonly #points: Point<V>[] = [];
  // Keyed by the label set's JSON: builders create labels in a fixed key order.
  readonly #overflow = new Map<string, Point<V>>();

  constructor(options: CappedPointsOptions<V>) {
    this.#options = options;
  }

  /** Identities whose points were folded (the registry's own overflow series do not count). */
  get foldedCount(): number {
    return this.#folded.size;
  }

  /**
   * Adds a point of `identity` (several points may share one, e.g. the percentiles of a series).
   * Within the cap it keeps its labels; beyond, it merges into its overflow label set.
   */
  add(identity: unknown, attributes: Attributes, value: V): void {
    const { fold, maxSeries } = this.#options;
    if (fold.isOverflow(attributes)) {
      this.#fold(attributes, value);
    } else if (this.#kept.has(identity) || this.#kept.size < maxSeries) {
      this.#kept.add(identity);
      this.#points.push({ attributes, value });
    } else {
      this.#folded.add(identity);
      this.#fold(fold.overflowOf(attributes), value);
    }
  }

  /** The kept points in insertion order, then the overflow points. */
  points(): Point<V>[] {
    return [...this.#points, ...this.#overflow.values()];
  }

  #fold(attributes: Attributes, value: V): void {
    const key = JSON.stringify(attributes);
    const existing = this.#overflow.get(key);
    if (existing === undefined) this.#overflow.set(key, { attributes, value });
    else existing.value = this.#options.merge(existing.value, value);
  }
}

/** Merge rule of counters. */
export const sum = (a: number, b: number): number => a + b;

/** Merge rule of gauges: the worst (largest) value. */
export const max = (a: number, b: number): number => Math.max(a, b);
