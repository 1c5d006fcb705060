/**
 * Everything about one (operation, context) pair that does not change per call, built on the
 * first call and reused: span options with the budget attributes, the base budget, phase options.
 */
import { diag, type SpanOptions, type Tracer } from '@opentelemetry/api';
import {
  ATTR_BUDGET_CONTEXT,
  ATTR_BUDGET_MS,
  ATTR_OPERATION,
  ATTR_PHASE,
  type Clock,
  type Criticality,
  shareOfMs,
  truncate,
} from '../agent/index.ts';
import { runInSpan } from './run-in-span.ts';

/** What bindings need from the agent. */
export interface BindingServices {
  readonly tracer: Tracer;
  /** Runs the hard-deadline timers (the agent's clock). */
  readonly clock: Clock;
  /** Base budget of an operation, ms; `undefined` for an unknown context. */
  baseBudgetMs(operation: string, context: string): number | undefined;
  /** The operation's class from YAML (rule naming it > context > CRITICAL), whose budget multiplier applies. */
  criticalityOf(operation: string, context: string): Criticality;
  effectiveBudgetMs(baseBudgetMs: number, context: string, criticality: Criticality): number;
  hardDeadlineFactor(context: string): number;
  phaseShare(context: string, phase: string): number | undefined;
  knownContexts(): readonly string[];
  /** Most phases whose span options a binding keeps (`limits.phases`). @default 16 */
  readonly maxPhases?: number;
}

/** Options of one {@link OperationBinding}. */
export interface OperationBindingOptions {
  /** No warnings: a short-lived binding built past the cache's cap (one per call). */
  readonly quiet?: boolean;
}

/** Longest operation, context or phase name quoted in a warning, characters. */
const MAX_QUOTED = 128;

export class OperationBinding {
  readonly operation: string;
  readonly context: string;
  readonly spanOptions: SpanOptions;
  readonly hardDeadlineFactor: number;
  /** The operation's class from YAML (see {@link BindingServices.criticalityOf}). */
  readonly criticality: Criticality;
  /** Runs the hard-deadline timers of the operation's calls. */
  readonly clock: Clock;
  readonly #baseBudgetMs: number;
  readonly #services: BindingServices;
  readonly #phases = new Map<string, SpanOptions>();
  readonly #quiet: boolean;

  constructor(
    operation: string,
    context: string,
    services: BindingServices,
    options: OperationBindingOptions = {},
  ) {
    this.operation = operation;
    this.context = context;
    this.#services = services;
    this.#quiet = options.quiet === true;
    const base = services.baseBudgetMs(operation, context);
    if (base === undefined && !this.#quiet) {
      diag.warn(
        `headroom: context "${truncate(context, MAX_QUOTED)}" of operation "${truncate(operation, MAX_QUOTED)}" is not configured (known: ${services.knownContexts().join(', ')}); it is traced but not judged`,
      );
    }
    this.#baseBudgetMs = base ?? Number.POSITIVE_INFINITY;
    this.hardDeadlineFactor = services.hardDeadlineFactor(context);
    this.criticality = services.criticalityOf(operation, context);
    this.clock = services.clock;
    // The span is named after the operation, so `headroom.operation` is left out: each attribute
    // costs the SDK about 5 % of a span.
    const attributes: Record<string, string | number> = { [ATTR_BUDGET_CONTEXT]: context };
    if (base !== undefined) attributes[ATTR_BUDGET_MS] = base;
    this.spanOptions = { attributes };
  }

  effectiveBudgetMs(): number {
    return this.#services.effectiveBudgetMs(this.#baseBudgetMs, this.context, this.criticality);
  }

  runPhase<R>(name: string, fn: () => R): R {
    const options = this.#phases.get(name) ?? this.#phaseOptions(name);
    return this.#services.tracer.startActiveSpan(name, options, (span) => runInSpan(span, fn));
  }

  #phaseOptions(name: string): SpanOptions {
    const share = this.#services.phaseShare(this.context, name);
    const cache = this.#phases.size < (this.#services.maxPhases ?? 16);
    if (share === undefined && cache && !this.#quiet) {
      diag.warn(
        `headroom: phase "${truncate(name, MAX_QUOTED)}" has no share in context "${truncate(this.context, MAX_QUOTED)}"; it is traced but not judged`,
      );
    }
    const attributes: Record<string, string | number> = {
      [ATTR_OPERATION]: this.operation,
      [ATTR_BUDGET_CONTEXT]: this.context,
      [ATTR_PHASE]: name,
    };
    if (share !== undefined && Number.isFinite(this.#baseBudgetMs))
      attributes[ATTR_BUDGET_MS] = shareOfMs(this.#baseBudgetMs, share);
    const options = { attributes };
    if (cache) this.#phases.set(name, options);
    return options;
  }
}
