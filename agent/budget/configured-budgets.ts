import type { ResolvedConfig } from '../../config/index.ts';
import { shareOfMs } from './exact-decimal.ts';

/**
 * Every base budget the config can judge a series against (contexts, rules, phases), ms; a
 * phase's budget is its share as an exact decimal (`225ms x 28%` is 63).
 */
export function configuredBudgetsMs(config: ResolvedConfig): number[] {
  const budgets: number[] = [];
  const withPhases = (budgetMs: number, phases: Readonly<Record<string, number>>) => {
    budgets.push(budgetMs);
    for (const share of Object.values(phases)) budgets.push(shareOfMs(budgetMs, share));
  };
  for (const context of Object.values(config.contexts)) withPhases(context.budgetMs, context.phases);
  for (const rule of config.rules) {
    const context = config.contexts[rule.context];
    if (rule.budgetMs !== undefined && context !== undefined) withPhases(rule.budgetMs, context.phases);
  }
  return budgets;
}
