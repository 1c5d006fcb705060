/**
 * The metadata recording rules of one SLO, as Sloth writes them: objective, error budget, period,
 * current and period burn rates, remaining error budget, and an info series.
 */
import { CURRENT_WINDOW_MS } from './burn-rate-windows.ts';
import { promNumber } from './promql.ts';
import { sliRecord } from './sli-rules.ts';
import { type SloTarget, slothSelector } from './slo-target.ts';
import type { RuleGroup } from './types.ts';

const DAY_MS = 86_400_000;

/** The group `sloth-slo-meta-recordings-<sloth_id>`. */
export function metaGroup(target: SloTarget): RuleGroup {
  const { labels } = target;
  const selector = slothSelector(target);
  const perBudget = (record: string) =>
    `${record}${selector}\n/ on(sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio${selector}`;
  return {
    name: `sloth-slo-meta-recordings-${labels.sloth_id}`,
    rules: [
      { record: 'slo:objective:ratio', expr: `vector(${promNumber(target.objective)})`, labels },
      { record: 'slo:error_budget:ratio', expr: `vector(1-${promNumber(target.objective)})`, labels },
      {
        record: 'slo:time_period:days',
        expr: `vector(${promNumber(target.slo.windowMs / DAY_MS)})`,
        labels,
      },
      { record: 'slo:current_burn_rate:ratio', expr: perBudget(sliRecord(CURRENT_WINDOW_MS)), labels },
      { record: 'slo:period_burn_rate:ratio', expr: perBudget(sliRecord(target.slo.windowMs)), labels },
      {
        record: 'slo:period_error_budget_remaining:ratio',
        expr: `1 - slo:period_burn_rate:ratio${selector}`,
        labels,
      },
      {
        record: 'sloth_slo_info',
        expr: 'vector(1)',
        labels: {
          ...labels,
          sloth_mode: 'headroom',
          sloth_objective: promNumber(target.objective * 100),
        },
      },
    ],
  };
}
