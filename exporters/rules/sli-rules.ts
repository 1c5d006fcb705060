/**
 * The SLI recording rules of one SLO, named as Sloth names them: `slo:sli_error:ratio_rate<window>`,
 * the share of whole operations over budget per `service`, for every alert window, plus the whole
 * SLO period averaged from the 5-minute ratio.
 */
import { METRICS } from '../metrics/index.ts';
import { CURRENT_WINDOW_MS, SLI_WINDOWS_MS } from './burn-rate-windows.ts';
import { promDuration } from './promql.ts';
import { type SloTarget, slothSelector } from './slo-target.ts';
import type { RecordingRule, RuleGroup } from './types.ts';

const DURATION = METRICS.operationDuration.name;

/** The name of the SLI recorded over `windowMs`: `slo:sli_error:ratio_rate5m`. */
export function sliRecord(windowMs: number): string {
  return `slo:sli_error:ratio_rate${promDuration(windowMs)}`;
}

/** The group `sloth-slo-sli-recordings-<sloth_id>`. */
export function sliGroup(target: SloTarget): RuleGroup {
  const rules = SLI_WINDOWS_MS.map((windowMs) => windowRule(target, windowMs));
  if (!SLI_WINDOWS_MS.includes(target.slo.window)) rules.push(periodRule(target));
  return { name: `sloth-slo-sli-recordings-${target.labels.sloth_id}`, rules };
}

/** `1 - within budget / all`, from the histogram: the bucket at the budget over `_count`. */
function windowRule(target: SloTarget, windowMs: number): RecordingRule {
  const range = `[${promDuration(windowMs)}]`;
  const good = target.goodMatchers.map((m) => `rate(${DURATION}_bucket{${m}}${range})`);
  const goodExpr = good.length === 1 ? good[0] : `\n    ${good.join('\n    or\n    ')}\n  `;
  return {
    record: sliRecord(windowMs),
    expr: [
      '1 - (',
      `  sum by (service) (${goodExpr})`,
      '  /',
      `  sum by (service) (rate(${DURATION}_count{${target.totalMatchers}}${range}))`,
      ')',
    ].join('\n'),
    labels: { ...target.labels, sloth_window: promDuration(windowMs) },
  };
}

/**
 * The SLI over the whole period, averaged from the 5-minute SLI (a rate over 30 days would read
 * a month of raw samples at every evaluation).
 */
function periodRule(target: SloTarget): RecordingRule {
  const series = `${sliRecord(CURRENT_WINDOW_MS)}${slothSelector(target)}[${promDuration(target.slo.window)}]`;
  return {
    record: sliRecord(target.slo.window),
    expr: `sum_over_time(${series})\n/ ignoring (sloth_window)\ncount_over_time(${series})`,
    labels: { sloth_window: promDuration(target.slo.window) },
  };
}
