/** Verdict doubles for tests of what consumes evaluation (degradation, exporters, alerts). */
import type { SeriesKey, Verdict } from '../../agent/budget/types.ts';

/** The series most tests judge: checkout's `checkout` operation in the emergency context (50 ms p95). */
export const CHECKOUT_EMERGENCY: SeriesKey = Object.freeze({
  namespace: '',
  service: 'checkout',
  operation: 'checkout',
  context: 'emergency',
  phase: '',
});

/** Overrides of {@link verdictOf}. */
export interface VerdictOverrides {
  readonly series?: SeriesKey;
  /** @default 50 */
  readonly budgetMs?: number;
  /** @default 200 */
  readonly samples?: number;
  /** @default 0 */
  readonly at?: number;
}

/**
 * A p95 verdict for `observedMs` against `budgetMs` (50 ms unless overridden); the ratio is
 * computed as the evaluator does, `observedMs / budgetMs`, and the status follows it (warning from 0.8).
 */
export function verdictOf(observedMs: number, overrides: VerdictOverrides = {}): Verdict {
  const budgetMs = overrides.budgetMs ?? 50;
  const ratio = observedMs / budgetMs;
  return {
    series: overrides.series ?? CHECKOUT_EMERGENCY,
    status: ratio > 1 ? 'violated' : ratio >= 0.8 ? 'warning' : 'ok',
    percentile: 'p95',
    observedMs,
    budgetMs,
    baseBudgetMs: budgetMs,
    ratio,
    samples: overrides.samples ?? 200,
    at: overrides.at ?? 0,
  };
}
