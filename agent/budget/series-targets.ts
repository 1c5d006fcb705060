/**
 * What each series is judged against: the base budget (the context's, a rule's override, or a
 * phase's share of either), the percentile, the warning ratio and the fewest samples for a
 * verdict. Computed once per series and cached; evaluation reads it, the record path never does.
 */
import type { ResolvedConfig } from '../../config/index.ts';
import type { Percentile } from '../window/index.ts';
import { shareOfMs } from './exact-decimal.ts';
import type { SeriesKey } from './types.ts';

/** The budget a series is judged against. */
export interface SeriesTarget {
  readonly baseBudgetMs: number;
  readonly percentile: Percentile;
  /** A verdict is `warning` from this share of the budget. */
  readonly warningRatio: number;
  readonly minSamples: number;
  readonly evaluationIntervalMs: number;
}

/** Computes and caches {@link SeriesTarget}s from the configuration. */
export class SeriesTargets {
  readonly #config: ResolvedConfig;
  /** operation -> budget override (ms) from rules with a budget (their `operation`, else their exact `spanName`). */
  readonly #operationBudgets = new Map<string, number>();
  readonly #cache = new WeakMap<SeriesKey, SeriesTarget | null>();

  constructor(config: ResolvedConfig) {
    this.#config = config;
    for (const rule of config.rules) {
      // The config refuses a budget without an operation unless an exact span name is the operation.
      const operation = rule.operation ?? rule.match.spanName;
      if (operation !== undefined && rule.budgetMs !== undefined && !this.#operationBudgets.has(operation)) {
        this.#operationBudgets.set(operation, rule.budgetMs);
      }
    }
  }

  /** The target of a series; `undefined` when its context or phase is not configured (no verdicts). */
  of(series: SeriesKey): SeriesTarget | undefined {
    let target = this.#cache.get(series);
    if (target === undefined) {
      target = this.#compute(series) ?? null;
      this.#cache.set(series, target);
    }
    return target ?? undefined;
  }

  /** Base budget of an operation in a context, ms: a rule's override or the context's budget. */
  baseBudgetMs(operation: string, context: string): number | undefined {
    return this.#operationBudgets.get(operation) ?? this.#config.contexts[context]?.budgetMs;
  }

  #compute(series: SeriesKey): SeriesTarget | undefined {
    const context = this.#config.contexts[series.context];
    const operationBudgetMs = this.baseBudgetMs(series.operation, series.context);
    if (context === undefined || operationBudgetMs === undefined) return undefined;
    const share = series.phase === '' ? 1 : context.phases[series.phase];
    if (share === undefined) return undefined;
    return {
      // The same exact decimal as the histogram bound of this budget (configuredBudgetsMs).
      baseBudgetMs: shareOfMs(operationBudgetMs, share),
      percentile: context.percentile,
      warningRatio: context.warningRatio,
      minSamples: context.minSamples ?? this.#config.evaluation.minSamples,
      evaluationIntervalMs: context.evaluationIntervalMs ?? this.#config.evaluation.intervalMs,
    };
  }
}
