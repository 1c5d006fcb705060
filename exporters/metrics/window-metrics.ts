/**
 * Per-series gauges read from the sliding windows at collection time: latency percentiles, the
 * effective and base budgets, and the budget utilization at the percentile each context is judged at.
 */
import { type Agent, msToSeconds, PERCENTILES, percentileValue, type Series } from '../../agent/index.ts';
import { max, SERIES_FOLD } from './capped-points.ts';
import { METRICS } from './metric-descriptors.ts';
import type { MetricSink } from './metric-sink.ts';
import { seriesAttributes } from './series-attributes.ts';

/** Adds the window gauges of `seriesList` at `nowMs` (ms since the epoch) to `sink`. */
export function addWindowMetrics(
  sink: MetricSink,
  agent: Agent,
  seriesList: readonly Series[],
  nowMs: number,
): void {
  const latency = sink.capped(SERIES_FOLD, max);
  const budget = sink.capped(SERIES_FOLD, max);
  const budgetBase = sink.capped(SERIES_FOLD, max);
  const utilization = sink.capped(SERIES_FOLD, max);
  for (const series of seriesList) {
    // One merge of the window's sketches per series and collection, as an evaluation tick does.
    const snapshot = series.window.snapshot(nowMs);
    const attributes = seriesAttributes(series);
    for (const percentile of PERCENTILES) {
      const valueMs = percentileValue(snapshot, percentile);
      if (valueMs !== undefined) latency.add(series, { ...attributes, percentile }, valueMs / 1000);
    }
    const target = agent.targets.of(series);
    if (target === undefined) continue;
    const criticality = agent.targets.classOf(series);
    const budgetMs = agent.budgets.effectiveBudgetMs(target.baseBudgetMs, series.context, criticality);
    budget.add(series, attributes, msToSeconds(budgetMs));
    budgetBase.add(series, attributes, msToSeconds(target.baseBudgetMs));
    const observedMs = percentileValue(snapshot, target.percentile);
    if (observedMs !== undefined && budgetMs > 0) utilization.add(series, attributes, observedMs / budgetMs);
  }
  sink.gauge(METRICS.latency, latency);
  sink.gauge(METRICS.budget, budget);
  sink.gauge(METRICS.budgetBase, budgetBase);
  sink.gauge(METRICS.budgetUtilization, utilization);
}
