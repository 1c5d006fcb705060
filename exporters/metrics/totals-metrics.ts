/**
 * Cumulative per-series metrics from each series' totals: the duration histogram (every budget is
 * an `le` bound), operation and error counters and budget violations.
 */
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { type Agent, msToSeconds, type Series } from '../../agent/index.ts';
import { SERIES_FOLD, sum } from './capped-points.ts';
import { METRICS } from './metric-descriptors.ts';
import type { MetricSink } from './metric-sink.ts';
import { seriesAttributes } from './series-attributes.ts';

/** Adds the totals metrics of `seriesList` to `sink`. */
export function addTotalsMetrics(sink: MetricSink, agent: Agent, seriesList: readonly Series[]): void {
  const durations = sink.capped(SERIES_FOLD, mergeHistograms);
  const operations = sink.capped(SERIES_FOLD, sum);
  const errors = sink.capped(SERIES_FOLD, sum);
  const violations = sink.capped(SERIES_FOLD, sum);
  // Every series of a registry shares one set of bounds: convert them once per collection, as
  // exact decimals (44.1 ms is 0.0441 s), the same numbers in the exposition and over OTLP.
  let boundariesSeconds: number[] | undefined;
  for (const series of seriesList) {
    const { totals } = series;
    boundariesSeconds ??= totals.boundsMs.map(msToSeconds);
    const attributes = seriesAttributes(series);
    durations.add(series, attributes, {
      buckets: { boundaries: boundariesSeconds, counts: Array.from(totals.bucketCounts) },
      count: totals.count,
      sum: totals.sumMs / 1000,
    });
    operations.add(series, attributes, totals.count);
    errors.add(series, attributes, totals.errorCount);
    if (agent.targets.of(series) !== undefined) violations.add(series, attributes, totals.violations);
  }
  sink.histogram(METRICS.operationDuration, durations);
  sink.counter(METRICS.operations, operations);
  sink.counter(METRICS.operationErrors, errors);
  sink.counter(METRICS.budgetViolations, violations);
}

/** Bucket-wise sum of two histograms over the same bounds. */
function mergeHistograms(a: Histogram, b: Histogram): Histogram {
  const counts = a.buckets.counts.map((count, i) => count + (b.buckets.counts[i] ?? 0));
  return {
    buckets: { boundaries: a.buckets.boundaries, counts },
    count: a.count + b.count,
    sum: (a.sum ?? 0) + (b.sum ?? 0),
  };
}
