/**
 * Collects the metrics of one collection as OpenTelemetry `MetricData`, all cumulative, with the
 * same start and end time, and counts the identities the caps folded.
 */
import type { HrTime } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  type Histogram,
  type MetricData,
  type MetricDescriptor,
} from '@opentelemetry/sdk-metrics';
import { CappedPoints, type FoldTarget, type Point } from './capped-points.ts';

/** Time span of the points of one collection. */
export interface CollectionTimes {
  /** When cumulative counting is taken to start (the producer's creation). */
  readonly startTime: HrTime;
  /** The collection time. */
  readonly endTime: HrTime;
}

/** Prometheus type of a metric family. */
export type FamilyType = 'counter' | 'gauge' | 'histogram';

/** A metric a collection offered, with or without points: its descriptor and Prometheus type. */
export interface MetricFamily {
  readonly descriptor: MetricDescriptor;
  readonly type: FamilyType;
}

/**
 * Receives the metrics of one collection; metrics without points are left out of `metrics`, but
 * every metric offered is in `families` (a prom-client registry shows a family before its first point).
 */
export class MetricSink {
  readonly metrics: MetricData[] = [];
  readonly families: MetricFamily[] = [];
  readonly #times: CollectionTimes;
  readonly #maxSeries: number;
  #folded = 0;

  constructor(times: CollectionTimes, maxSeries: number) {
    this.#times = times;
    this.#maxSeries = maxSeries;
  }

  /** Identities folded by the caps of the metrics added so far. */
  get folded(): number {
    return this.#folded;
  }

  /** New capped points for one metric of this collection. */
  capped<V>(fold: FoldTarget, merge: (a: V, b: V) => V): CappedPoints<V> {
    return new CappedPoints({ maxSeries: this.#maxSeries, fold, merge });
  }

  /** Adds a monotonic sum (a Prometheus counter). */
  counter(descriptor: MetricDescriptor, points: CappedPoints<number> | readonly Point<number>[]): void {
    this.families.push({ descriptor, type: 'counter' });
    const dataPoints = this.#dataPoints(points);
    if (dataPoints.length === 0) return;
    this.metrics.push({
      descriptor,
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.SUM,
      isMonotonic: true,
      dataPoints,
    });
  }

  /** Adds a gauge. */
  gauge(descriptor: MetricDescriptor, points: CappedPoints<number> | readonly Point<number>[]): void {
    this.families.push({ descriptor, type: 'gauge' });
    const dataPoints = this.#dataPoints(points);
    if (dataPoints.length === 0) return;
    this.metrics.push({
      descriptor,
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.GAUGE,
      dataPoints,
    });
  }

  /** Adds an explicit-bucket histogram. */
  histogram(descriptor: MetricDescriptor, points: CappedPoints<Histogram>): void {
    this.families.push({ descriptor, type: 'histogram' });
    const dataPoints = this.#dataPoints(points);
    if (dataPoints.length === 0) return;
    this.metrics.push({
      descriptor,
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints,
    });
  }

  #dataPoints<V>(points: CappedPoints<V> | readonly Point<V>[]) {
    let list: readonly Point<V>[];
    if (points instanceof CappedPoints) {
      this.#folded += points.foldedCount;
      list = points.points();
    } else {
      list = points;
    }
    const { startTime, endTime } = this.#times;
    return list.map(({ attributes, value }) => ({ startTime, endTime, attributes, value }));
  }
}
