/**
 * How one whole operation stands now: its latest verdict (kept across ticks by the
 * {@link VerdictCache}), the effective budget, the window's count and percentiles, and the headroom
 * `1 - observed / effective budget` (the definition: negative once over budget).
 */
import type { Agent, Series, Verdict } from '../agent/index.ts';
import { percentileValue } from '../agent/index.ts';
import type { OperationStatus, OperationView, PointView } from './types.ts';
import { isCurrentVerdict, type VerdictCache } from './verdict-cache.ts';

/** {@link OperationView} without its history, plus the series it describes. */
export interface OperationNow extends Omit<OperationView, 'history'> {
  readonly series: Series;
}

/** The current values of `series` (a whole operation) at `nowMs`. */
export function operationNow(
  agent: Agent,
  verdicts: VerdictCache,
  series: Series,
  nowMs: number,
): OperationNow {
  const target = agent.targets.of(series);
  const kept = verdicts.get(series);
  const verdict = isCurrentVerdict(kept, target, agent.lastTick?.at) ? kept : undefined;
  const budgetMs =
    verdict?.budgetMs ??
    (target &&
      agent.budgets.effectiveBudgetMs(target.baseBudgetMs, series.context, agent.targets.classOf(series)));
  const snapshot = series.window.snapshot(nowMs);
  const status: OperationStatus =
    target === undefined ? 'unbudgeted' : (verdict?.status ?? 'insufficient-samples');
  return {
    series,
    operation: series.operation,
    context: series.context,
    percentile: target?.percentile ?? null,
    status,
    observedMs: verdict?.observedMs ?? null,
    budgetMs: budgetMs ?? null,
    headroom: headroomOf(verdict),
    count: snapshot.count,
    latencyMs: {
      p50: percentileValue(snapshot, 'p50') ?? null,
      p95: percentileValue(snapshot, 'p95') ?? null,
      p99: percentileValue(snapshot, 'p99') ?? null,
    },
  };
}

/** `1 - observed / budget`, computed as `(budget - observed) / budget` so 40 of 50 gives exactly 0.2. */
function headroomOf(verdict: Verdict | undefined): number | null {
  if (verdict === undefined || !(verdict.budgetMs > 0)) return null;
  return (verdict.budgetMs - verdict.observedMs) / verdict.budgetMs;
}

/** The operation as JSON shows it (the series left out). */
export function operationView(now: OperationNow): OperationView {
  const { series: _series, ...view } = now;
  return view;
}

/** The stream's `point` of an operation. */
export function pointOf(now: OperationNow): PointView {
  const { series } = now;
  return {
    namespace: series.namespace,
    service: series.service,
    operation: now.operation,
    context: now.context,
    p50: now.latencyMs.p50,
    p95: now.latencyMs.p95,
    p99: now.latencyMs.p99,
    budgetMs: now.budgetMs,
    observedMs: now.observedMs,
    headroom: now.headroom,
    status: now.status,
    count: now.count,
  };
}

/**
 * Operations by headroom ascending, `null` last, then context and operation: the one closest to
 * (or furthest over) its budget first.
 */
export function byHeadroom(a: Omit<OperationView, 'history'>, b: Omit<OperationView, 'history'>): number {
  return (
    compareHeadroom(a.headroom, b.headroom) ||
    compare(a.context, b.context) ||
    compare(a.operation, b.operation)
  );
}

/** `null` after every number. */
export function compareHeadroom(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a - b;
}

/** Code-unit order, as the decision API sorts names. */
export function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
