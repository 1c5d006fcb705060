/**
 * What the rules of one SLO measure: which whole operations count, which of them were within
 * budget (the histogram bucket whose upper bound is the budget), and the labels that name the SLO.
 */
import type { ResolvedConfig } from '../../config/index.ts';
import { leMatcher, matchers, promNumber } from './promql.ts';

/** One configured SLO. */
export type SloConfig = ResolvedConfig['slos'][number];

/** The Sloth labels every rule of an SLO carries (a type, not an interface, so that it is a label record). */
export type SlothLabels = {
  /** `<sloth_service>-<sloth_slo>`, unique per SLO. */
  readonly sloth_id: string;
  /** `service.name` of the configuration, `headroom` when unset; the `service` label tells services apart. */
  readonly sloth_service: string;
  readonly sloth_slo: string;
};

/** An SLO resolved against the configuration it belongs to. */
export interface SloTarget {
  readonly slo: SloConfig;
  readonly labels: SlothLabels;
  /** `<SloName>HighErrorRate`, e.g. `CheckoutLatencyHighErrorRate`. */
  readonly alertName: string;
  /** Share of operations that must be within budget, e.g. 0.99. */
  readonly objective: number;
  /** `1 - objective`, e.g. 0.01. */
  readonly errorBudget: number;
  /** Matchers of the whole operations the SLO counts, e.g. `context="emergency",phase=""`. */
  readonly totalMatchers: string;
  /** Per context the SLO counts, the matchers of its operations within budget (with `le`). */
  readonly goodMatchers: readonly string[];
}

/** The name `sloth_service` takes when the configuration names no service. */
const DEFAULT_SLOTH_SERVICE = 'headroom';

/**
 * Resolves `slo` against `config`. An SLO with a context counts that context, judged at its budget
 * (or at the budget a rule gives the SLO's operation there); an SLO with only an operation counts
 * that operation in every context, each at that context's budget.
 */
export function sloTarget(config: ResolvedConfig, slo: SloConfig): SloTarget {
  const service = config.service.name ?? DEFAULT_SLOTH_SERVICE;
  const objective = Number(promNumber(slo.objective));
  const scope: Record<string, string> = slo.operation === undefined ? {} : { operation: slo.operation };
  const contexts = slo.context === undefined ? Object.keys(config.contexts) : [slo.context];
  return {
    slo,
    labels: { sloth_id: `${service}-${slo.name}`, sloth_service: service, sloth_slo: slo.name },
    alertName: `${pascalCase(slo.name)}HighErrorRate`,
    objective,
    errorBudget: Number(promNumber(1 - objective)),
    totalMatchers: matchers({
      ...scope,
      ...(slo.context === undefined ? {} : { context: slo.context }),
      phase: '',
    }),
    goodMatchers: contexts.map((context) => {
      const budgetSeconds = budgetMs(config, context, slo.operation) / 1000;
      return `${matchers({ ...scope, context, phase: '' })},${leMatcher(budgetSeconds)}`;
    }),
  };
}

/** The budget of `operation` in `context`: a rule's own budget for it, else the context's. */
function budgetMs(config: ResolvedConfig, context: string, operation: string | undefined): number {
  const rule = config.rules.find(
    (candidate) =>
      operation !== undefined &&
      candidate.operation === operation &&
      candidate.context === context &&
      candidate.budget !== undefined,
  );
  return rule?.budget ?? (config.contexts[context]?.budget as number);
}

function pascalCase(name: string): string {
  return name
    .split(/[-_]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** `{sloth_id="...", sloth_service="...", sloth_slo="..."}`: the selector of one SLO's series, as Sloth writes it. */
export function slothSelector(target: SloTarget): string {
  return `{${matchers({ ...target.labels }, ', ')}}`;
}
