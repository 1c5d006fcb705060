/**
 * `errorRate` rules: per service (and per context when the rule names one), failed / all
 * operations over the sliding window, against the warning and critical fractions. Fewer
 * operations than the minimum sample count is "no data" (no observation).
 */
import { formatService, type ServiceId, serviceKey, serviceLabels } from '../service-id.ts';
import { formatPercent } from './format.ts';
import type { Observation, RuleOf } from './observation.ts';
import { severityOf } from './percentile-rule.ts';
import type { SnapshotCache } from './snapshot-cache.ts';
import type { AlertTick } from './types.ts';

type ErrorRateRule = RuleOf<'errorRate'>;

interface Counts {
  readonly id: ServiceId;
  count: number;
  errors: number;
  windowMs: number;
}

/** Observations of an `errorRate` rule; `minSamples` is the fewest operations for a rate. */
export function observeErrorRate(
  rule: ErrorRateRule,
  tick: AlertTick,
  snapshots: SnapshotCache,
  minSamples: number,
): Observation[] {
  const byService = new Map<string, Counts>();
  for (const series of tick.series) {
    if (series.phase !== '' || (rule.context !== undefined && series.context !== rule.context)) continue;
    const snapshot = snapshots.of(series);
    const key = serviceKey(series);
    let counts = byService.get(key);
    if (counts === undefined) {
      counts = { id: series, count: 0, errors: 0, windowMs: snapshot.windowMs };
      byService.set(key, counts);
    }
    counts.count += snapshot.count;
    counts.errors += snapshot.errorCount;
  }
  const observations: Observation[] = [];
  for (const counts of byService.values()) {
    if (counts.count >= minSamples && counts.count > 0) observations.push(observation(rule, counts));
  }
  return observations;
}

function observation(rule: ErrorRateRule, counts: Counts): Observation {
  const rate = counts.errors / counts.count;
  const service = formatService(counts.id);
  const labels = serviceLabels(counts.id);
  const scope = rule.context === undefined ? service : `${service} (${rule.context})`;
  const critical = rule.critical === undefined ? '' : `, critical at ${formatPercent(rule.critical)}`;
  const seconds = counts.windowMs / 1000;
  return {
    labels: rule.context === undefined ? labels : { ...labels, context: rule.context },
    severity: severityOf(rate, rule.warning, rule.critical),
    value: rate,
    summary: `error rate of ${scope} is ${formatPercent(rate)}`,
    description: `${counts.errors} of ${counts.count} operations failed in the last ${seconds}s (${formatPercent(rate)}); warning at ${formatPercent(rule.warning)}${critical}.`,
  };
}
