/** The contract between evaluation (verdicts) and what consumes it (degradation, exporters, alerts). */
import type { Percentile } from '../window/types.ts';

/** Identity of a series: one operation of one service (namespace and name) in one context. */
export interface SeriesKey {
  /** `service.namespace` of the service; '' when none (see agent/service-id.ts). */
  readonly namespace: string;
  readonly service: string;
  readonly operation: string;
  readonly context: string;
  /** The phase of the operation (`execution`, ...) judged against its share; '' for the whole operation. */
  readonly phase: string;
}

/** ok below the warning ratio, warning from it, violated above the effective budget. */
export type VerdictStatus = 'ok' | 'warning' | 'violated';

/** The judgement of one series at one evaluation tick. */
export interface Verdict {
  readonly series: SeriesKey;
  readonly status: VerdictStatus;
  /** The percentile the context is judged at, e.g. `p95`. */
  readonly percentile: Percentile;
  /** Observed value of that percentile over the window, ms. */
  readonly observedMs: number;
  /** Effective budget: base x load x modifiers x class multiplier, clamped; ms. */
  readonly budgetMs: number;
  /** The configured budget before scaling, ms. */
  readonly baseBudgetMs: number;
  /** observedMs / budgetMs: above 1 is a violation. */
  readonly ratio: number;
  /** Samples in the window the percentile came from. */
  readonly samples: number;
  /** Evaluation time, ms since the epoch. */
  readonly at: number;
}
