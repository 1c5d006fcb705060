/**
 * Evaluation: each tick, every series' percentile over the window is compared with its effective
 * budget. A window with fewer samples than the context asks for gives no verdict.
 */
import type { Criticality } from '../admission/criticality.ts';
import { percentileValue, type Series } from '../window/index.ts';
import type { SeriesTarget, SeriesTargets } from './series-targets.ts';
import type { Verdict, VerdictStatus } from './types.ts';

/** Turns a base budget into the effective one for a context and class (see BudgetResolver). */
export interface EffectiveBudget {
  effectiveBudgetMs(baseBudgetMs: number, context: string, criticality: Criticality): number;
}

export interface EvaluatorOptions {
  readonly targets: SeriesTargets;
  readonly budgets: EffectiveBudget;
}

/** Judges series; holds no state between ticks beyond what its inputs hold. */
export class Evaluator {
  readonly #targets: SeriesTargets;
  readonly #budgets: EffectiveBudget;

  constructor(options: EvaluatorOptions) {
    this.#targets = options.targets;
    this.#budgets = options.budgets;
  }

  /**
   * Verdicts for the given series at `nowMs`; series without a target or with too few samples
   * are skipped. `due(target)` lets the caller evaluate each context at its own interval.
   */
  evaluate(
    series: Iterable<Series>,
    nowMs: number,
    due: (target: SeriesTarget) => boolean = () => true,
  ): Verdict[] {
    const verdicts: Verdict[] = [];
    for (const one of series) {
      const target = this.#targets.of(one);
      if (target === undefined || !due(target)) continue;
      const verdict = this.judge(one, target, nowMs);
      if (verdict !== undefined) verdicts.push(verdict);
    }
    return verdicts;
  }

  /** The verdict of one series, or `undefined` when its window holds too few samples. */
  judge(series: Series, target: SeriesTarget, nowMs: number): Verdict | undefined {
    const snapshot = series.window.snapshot(nowMs);
    const observedMs = percentileValue(snapshot, target.percentile);
    if (observedMs === undefined || snapshot.count < target.minSamples) return undefined;
    const criticality = this.#targets.classOf(series);
    const budgetMs = this.#budgets.effectiveBudgetMs(target.baseBudgetMs, series.context, criticality);
    const ratio = observedMs / budgetMs;
    const status = statusOf(ratio, target.warningRatio);
    if (status === 'violated') series.totals.violations++;
    return {
      series: {
        namespace: series.namespace,
        service: series.service,
        operation: series.operation,
        context: series.context,
        phase: series.phase,
      },
      status,
      percentile: target.percentile,
      observedMs,
      budgetMs,
      baseBudgetMs: target.baseBudgetMs,
      ratio,
      samples: snapshot.count,
      at: nowMs,
    };
  }
}

function statusOf(ratio: number, warningRatio: number): VerdictStatus {
  if (ratio > 1) return 'violated';
  return ratio >= warningRatio ? 'warning' : 'ok';
}
