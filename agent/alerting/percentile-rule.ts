/**
 * `percentile` rules: per (service, operation) of the rule's context, the observed percentile
 * against the warning and critical thresholds (ms). The value is the tick's verdict when it is
 * at the rule's percentile, else the series' window; a window with fewer samples than the
 * context's minimum is "no data" (no observation: a firing alert resolves).
 */
import type { SeriesKey } from '../budget/types.ts';
import { formatService, serviceKey, serviceLabels } from '../service-id.ts';
import { percentileValue } from '../window/types.ts';
import { formatLatency } from './format.ts';
import type { Observation, RuleOf } from './observation.ts';
import type { SnapshotCache } from './snapshot-cache.ts';
import type { AlertSeverity, AlertTick } from './types.ts';

type PercentileRule = RuleOf<'percentile'>;

/** Observations of a `percentile` rule; `minSamples` is the context's minimum for a value. */
export function observePercentile(
  rule: PercentileRule,
  tick: AlertTick,
  snapshots: SnapshotCache,
  minSamples: number,
): Observation[] {
  const fromVerdicts = new Map<string, number>();
  for (const verdict of tick.verdicts) {
    const { series } = verdict;
    if (series.context !== rule.context || series.phase !== '' || verdict.percentile !== rule.percentile)
      continue;
    fromVerdicts.set(`${serviceKey(series)}\u0000${series.operation}`, verdict.observedMs);
  }
  const observations: Observation[] = [];
  for (const series of tick.series) {
    if (series.context !== rule.context || series.phase !== '') continue;
    let valueMs = fromVerdicts.get(`${serviceKey(series)}\u0000${series.operation}`);
    if (valueMs === undefined) {
      const snapshot = snapshots.of(series);
      if (snapshot.count >= minSamples) valueMs = percentileValue(snapshot, rule.percentile);
    }
    if (valueMs !== undefined) observations.push(observation(rule, series, valueMs));
  }
  return observations;
}

function observation(rule: PercentileRule, series: SeriesKey, valueMs: number): Observation {
  const { operation, context } = series;
  const service = formatService(series);
  const critical = rule.criticalMs === undefined ? '' : `, critical at ${formatLatency(rule.criticalMs)}`;
  return {
    labels: { ...serviceLabels(series), context, operation },
    severity: severityOf(valueMs, rule.warningMs, rule.criticalMs),
    value: valueMs,
    summary: `${rule.percentile} latency of ${service} ${operation} (${context}) is ${formatLatency(valueMs)}`,
    description: `${rule.percentile} of ${operation} in ${service}, context ${context}, is ${formatLatency(valueMs)} over the window; warning at ${formatLatency(rule.warningMs)}${critical}.`,
  };
}

/** `critical` from the critical threshold, `warning` from the warning one (both inclusive). */
export function severityOf(value: number, warning: number, critical?: number): AlertSeverity | undefined {
  if (critical !== undefined && value >= critical) return 'critical';
  return value >= warning ? 'warning' : undefined;
}
