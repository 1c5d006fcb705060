/**
 * What each series is judged against: the base budget (the context's, a rule's override, or a
 * phase's share of either), its criticality class (whose budget multiplier scales that budget),
 * the percentile, the warning ratio and the fewest samples for a verdict. Computed once per series
 * and cached; evaluation reads it, the record path only when a handle binds its series.
 */
import type { ResolvedConfig } from '../../config/index.ts';
import { type Criticality, DEFAULT_CRITICALITY } from '../admission/criticality.ts';
import type { Percentile } from '../window/index.ts';
import { shareOfMs } from './exact-decimal.ts';
import type { SeriesKey } from './types.ts';

/** The budget a series is judged against. */
export interface SeriesTarget {
  readonly baseBudgetMs: number;
  /**
   * The series' class from YAML (see {@link SeriesTargets.criticalityOf}); its phases share it. A
   * class the record path noted for the series ({@link SeriesTargets.classOf}) wins over it.
   */
  readonly criticality: Criticality;
  readonly percentile: Percentile;
  /** A verdict is `warning` from this share of the budget. */
  readonly warningRatio: number;
  readonly minSamples: number;
  readonly evaluationIntervalMs: number;
}

/** A rule with a `criticality` that names an operation, and the series it may name it for. */
interface ClassRule {
  readonly context: string;
  readonly service: string | undefined;
  readonly namespace: string | undefined;
  readonly criticality: Criticality;
}

/** Computes and caches {@link SeriesTarget}s from the configuration. */
export class SeriesTargets {
  readonly #config: ResolvedConfig;
  /** operation -> budget override (ms) from rules with a budget (their `operation`, else their exact `spanName`). */
  readonly #operationBudgets = new Map<string, number>();
  /** operation -> the rules with a `criticality` naming it (their `operation`, else their exact `spanName`), in order. */
  readonly #operationClasses = new Map<string, ClassRule[]>();
  readonly #cache = new WeakMap<SeriesKey, SeriesTarget | null>();
  /** Classes the record path saw the series with (the rule that matched its spans). */
  readonly #noted = new WeakMap<SeriesKey, Criticality>();

  constructor(config: ResolvedConfig) {
    this.#config = config;
    for (const rule of config.rules) {
      // The config refuses a budget without an operation unless an exact span name is the operation.
      const operation = rule.operation ?? rule.match.spanName;
      if (operation === undefined) continue;
      if (rule.budgetMs !== undefined && !this.#operationBudgets.has(operation)) {
        this.#operationBudgets.set(operation, rule.budgetMs);
      }
      if (rule.criticality !== undefined) {
        const { service, namespace } = rule.match;
        const rules = this.#operationClasses.get(operation) ?? [];
        rules.push({ context: rule.context, service, namespace, criticality: rule.criticality });
        this.#operationClasses.set(operation, rules);
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

  /**
   * The class of a series from YAML: the `criticality` of the first rule that names its operation
   * (the rule's `operation`, else its exact `match.spanName`) in its context, for its service and
   * namespace when the rule's match says; else its context's `criticality`; else CRITICAL.
   */
  criticalityOf(series: Omit<SeriesKey, 'phase'>): Criticality {
    for (const rule of this.#operationClasses.get(series.operation) ?? []) {
      if (rule.context !== series.context) continue;
      if (rule.service !== undefined && rule.service !== series.service) continue;
      if (rule.namespace !== undefined && rule.namespace !== series.namespace) continue;
      return rule.criticality;
    }
    return this.#config.contexts[series.context]?.criticality ?? DEFAULT_CRITICALITY;
  }

  /**
   * The class a series is judged in: the one the record path noted for it (the class of the rule
   * that matched its spans), else {@link criticalityOf}.
   */
  classOf(series: SeriesKey): Criticality {
    return this.#noted.get(series) ?? this.of(series)?.criticality ?? this.criticalityOf(series);
  }

  /**
   * Notes the class the spans of `series` were classified with (a rule matched them), for
   * {@link classOf}. Called once per series a handle binds, not per sample.
   */
  note(series: SeriesKey, criticality: Criticality): void {
    this.#noted.set(series, criticality);
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
      criticality: this.criticalityOf(series),
      percentile: context.percentile,
      warningRatio: context.warningRatio,
      minSamples: context.minSamples ?? this.#config.evaluation.minSamples,
      evaluationIntervalMs: context.evaluationIntervalMs ?? this.#config.evaluation.intervalMs,
    };
  }
}
