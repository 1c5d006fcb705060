/**
 * The per-series part of a service's detail: the latest verdict (status, observed percentile,
 * ratio), the effective budget now, and the window's counts and percentiles now.
 */
import type { Agent, SeriesTarget, Verdict } from '../../agent/index.ts';
import {
  PERCENTILES,
  percentileValue,
  type Series,
  type ServiceId,
  sameService,
  type WindowSnapshot,
} from '../../agent/index.ts';
import { isCurrentVerdict, type VerdictCache } from '../../view/index.ts';
import type { LatencyPercentilesMs, SeriesView } from './types.ts';

/** The series of the service `id`, sorted by context, operation, phase. */
export function seriesViews(agent: Agent, verdicts: VerdictCache, id: ServiceId): SeriesView[] {
  const nowMs = agent.clock.now();
  const lastTickAt = agent.lastTick?.at;
  return agent.registry
    .list()
    .filter((series) => sameService(series, id))
    .sort(bySeriesOrder)
    .map((series) => {
      const target = agent.targets.of(series);
      const verdict = verdicts.get(series);
      const current = isCurrentVerdict(verdict, target, lastTickAt) ? verdict : undefined;
      return seriesView(agent, series, target, current, series.window.snapshot(nowMs));
    });
}

function seriesView(
  agent: Agent,
  series: Series,
  target: SeriesTarget | undefined,
  verdict: Verdict | undefined,
  snapshot: WindowSnapshot,
): SeriesView {
  const budgetMs =
    verdict?.budgetMs ??
    (target &&
      agent.budgets.effectiveBudgetMs(target.baseBudgetMs, series.context, agent.targets.classOf(series)));
  return {
    operation: series.operation,
    context: series.context,
    phase: series.phase,
    status: target === undefined ? 'unbudgeted' : (verdict?.status ?? 'insufficient-samples'),
    percentile: target?.percentile ?? null,
    observedMs: verdict?.observedMs ?? null,
    budgetMs: budgetMs ?? null,
    baseBudgetMs: target?.baseBudgetMs ?? null,
    ratio: verdict?.ratio ?? null,
    evaluatedAt: verdict?.at ?? null,
    count: snapshot.count,
    errorRate: snapshot.errorRate,
    latencyMs: latencyOf(snapshot),
  };
}

function latencyOf(snapshot: WindowSnapshot): LatencyPercentilesMs {
  const entries = PERCENTILES.map((p) => [p, percentileValue(snapshot, p) ?? null] as const);
  return Object.fromEntries(entries) as LatencyPercentilesMs;
}

function bySeriesOrder(a: Series, b: Series): number {
  return compare(a.context, b.context) || compare(a.operation, b.operation) || compare(a.phase, b.phase);
}

function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
