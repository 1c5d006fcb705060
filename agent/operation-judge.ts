/**
 * What an agent does with the whole operations its handles record, beyond their windows: it notes
 * the class a YAML rule gave a series' spans (so the series is judged against the budget of that
 * class, see SeriesTargets.classOf), and feeds the admission controller of the series' service
 * with each kept sample's duration over the budget of the request's class without the load factor
 * (`BudgetResolver.loadFreeBudgetMs`): the per-class latency signal the controller steers (Google
 * SRE, "Handling Overload"). The load factor relaxes verdicts when this process is busy; admission
 * must steer on the configured budget precisely then.
 */
import type { Criticality } from './admission/criticality.ts';
import type { BudgetResolver } from './budget/budget-resolver.ts';
import type { SeriesTargets } from './budget/series-targets.ts';
import type { OperationFeed, OperationJudge } from './record-path.ts';

/** What the feed needs of a service's admission controller. */
interface RatioSink {
  record(criticality: Criticality, ratio: number, endMs: number): void;
}

/** What {@link operationJudge} reads of the agent at each bind: the parts in force. */
export interface JudgedAgent {
  readonly targets: SeriesTargets;
  readonly budgets: Pick<BudgetResolver, 'loadFreeBudgetMs'>;
  readonly config: { readonly admission: { readonly enabled: boolean } };
  admission(service: string, namespace: string): RatioSink;
}

/**
 * The agent's {@link OperationJudge}. A series is fed to admission when it has a target (its
 * context, and phase, are configured) and `admission.enabled` is true; everything it needs is
 * resolved here, once per bind, so a sample costs one budget multiplication and one window insert.
 * A reload or an eviction makes every handle bind again, so the feed follows the parts in force.
 */
export function operationJudge(agent: JudgedAgent): OperationJudge {
  return {
    bind(series, criticality) {
      const targets = agent.targets;
      if (criticality !== undefined) targets.note(series, criticality);
      const target = targets.of(series);
      if (target === undefined || !agent.config.admission.enabled) return undefined;
      return new AdmissionFeed(
        agent.admission(series.service, series.namespace),
        agent.budgets,
        target.baseBudgetMs,
        series.context,
        targets.classOf(series),
      );
    },
  };
}

/** One bound whole operation's way into its service's admission controller. */
class AdmissionFeed implements OperationFeed {
  readonly #sink: RatioSink;
  readonly #budgets: JudgedAgent['budgets'];
  readonly #baseBudgetMs: number;
  readonly #context: string;
  /** The series' class: a sample whose span carries no valid class counts in it. */
  readonly #criticality: Criticality;

  constructor(
    sink: RatioSink,
    budgets: JudgedAgent['budgets'],
    baseBudgetMs: number,
    context: string,
    criticality: Criticality,
  ) {
    this.#sink = sink;
    this.#budgets = budgets;
    this.#baseBudgetMs = baseBudgetMs;
    this.#context = context;
    this.#criticality = criticality;
  }

  record(durationMs: number, endTimeMs: number, criticality: Criticality | undefined): void {
    const of = criticality ?? this.#criticality;
    // The budget of the request's class with the modifiers of now, not the load factor; the
    // controller drops what is not a finite ratio (a 0 ms budget).
    const budgetMs = this.#budgets.loadFreeBudgetMs(this.#baseBudgetMs, this.#context, of);
    this.#sink.record(of, durationMs / budgetMs, endTimeMs);
  }
}
