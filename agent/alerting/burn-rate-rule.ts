/**
 * `burnRate` rules: per service of the rule's SLO, the multi-window burn-rate table; severity
 * `page` or `ticket`. Every service the SLO tracker knows is observed, so an alert resolves as
 * soon as no pair holds.
 */
import type { ResolvedConfig } from '../../config/index.ts';
import { formatService, serviceLabels } from '../service-id.ts';
import type { SloStatus, SloTracker } from '../slo/index.ts';
import { matchBurnRate } from './burn-rate-policy.ts';
import { formatNumber, formatPercent, formatSpan } from './format.ts';
import type { Observation, RuleOf } from './observation.ts';

type BurnRateRule = RuleOf<'burnRate'>;
type SloConfig = ResolvedConfig['slos'][number];

/** Observations of a `burnRate` rule; none when the SLO is not configured. */
export function observeBurnRate(
  rule: BurnRateRule,
  slos: SloTracker,
  sloConfigs: readonly SloConfig[],
): Observation[] {
  const slo = sloConfigs.find((one) => one.name === rule.slo);
  if (slo === undefined) return [];
  const observations: Observation[] = [];
  for (const status of slos.list()) {
    if (status.slo === rule.slo) observations.push(observation(slo, status));
  }
  return observations;
}

function observation(slo: SloConfig, status: SloStatus): Observation {
  const labels: Record<string, string> = { ...serviceLabels(status), slo: slo.name };
  const service = formatService(status);
  if (slo.context !== undefined) labels.context = slo.context;
  if (slo.operation !== undefined) labels.operation = slo.operation;
  const match = matchBurnRate(status);
  const left = `${formatPercent(status.errorBudgetRemaining)} of the ${formatSpan(status.windowMs)} error budget left`;
  const exhaustion =
    status.timeToExhaustionMs === undefined
      ? ''
      : `, spent in ${formatSpan(status.timeToExhaustionMs)} at the 1h rate`;
  if (match === undefined) {
    return {
      labels,
      severity: undefined,
      value: status.burnRates['1h'],
      summary: `${slo.name} of ${service} burns its error budget at ${formatNumber(status.burnRates['1h'])}x over 1h`,
      description: `No burn-rate window pair exceeds its threshold; ${left}${exhaustion}.`,
    };
  }
  const { windows, threshold, longBurnRate, shortBurnRate } = match;
  return {
    labels,
    severity: windows.severity,
    value: longBurnRate,
    summary: `${slo.name} of ${service} burns its error budget at ${formatNumber(longBurnRate)}x over ${windows.longWindow}`,
    description: `Burn rate ${formatNumber(longBurnRate)}x over ${windows.longWindow} and ${formatNumber(shortBurnRate)}x over ${windows.shortWindow}, above ${formatNumber(threshold)}x (${windows.budgetPercent}% of the budget in ${windows.longWindow}); objective ${formatPercent(slo.objective)}, ${left}${exhaustion}.`,
  };
}
