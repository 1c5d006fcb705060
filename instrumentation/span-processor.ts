/**
 * The bridge from OpenTelemetry to the agent: every finished span that carries a Headroom context
 * (from track()) or matches a YAML rule becomes one sample of its series, and a whole operation
 * also feeds its service's admission controller in the class its `headroom.criticality` names. A
 * span whose request admission rejected is never judged. Register it on the TracerProvider next to
 * the exporting processors; with `createAlwaysRecordSampler` it also sees spans sampled out for
 * export, so every operation is counted.
 */
import { type Attributes, diag, SpanStatusCode } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import {
  ATTR_BUDGET_CONTEXT,
  ATTR_BUDGET_MS,
  ATTR_BUDGET_RATIO,
  ATTR_DURATION_MS,
  ATTR_OPERATION,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_NAMESPACE,
  admissionRejected,
  BUDGET_EXCEEDED_EVENT,
  type Criticality,
  classifySpan,
  type EvictionSource,
  type Recorder,
  type RuleMatcher,
  releaseOnEviction,
  SeriesHandles,
  type ServiceHandles,
  SpanCriticality,
} from '../agent/index.ts';

/** Effective budgets of tracked operations (the agent's `budgets` and `targets`). */
export interface SpanBudgets {
  /** The class of an operation's series from YAML (`SeriesTargets.criticalityOf`). */
  criticalityOf(series: {
    readonly namespace: string;
    readonly service: string;
    readonly operation: string;
    readonly context: string;
  }): Criticality;
  effectiveBudgetMs(baseBudgetMs: number, context: string, criticality: Criticality): number;
}

export interface HeadroomSpanProcessorOptions {
  readonly recorder: Recorder;
  /** Effective budgets, to mark spans that ended over theirs. */
  readonly budgets?: SpanBudgets;
  readonly rules: RuleMatcher;
  /** service.name used when a span's resource has none. */
  readonly defaultService: string;
  /** service.namespace used when a span's resource has none. @default '' (none) */
  readonly defaultNamespace?: string;
  /**
   * Most series handles kept (one per service, operation, context and phase seen); past it the
   * cache starts over. @default 10000
   */
  readonly maxHandles?: number;
  /**
   * The agent whose idle evictions start the handle cache over, so kept handles never hold evicted
   * series alive. @default none: the cache only starts over when full
   */
  readonly evictions?: EvictionSource;
  /**
   * Judge every span as `defaultService`/`defaultNamespace`, whatever its resource says (a host
   * SDK's resource, `sdk: 'external'`). @default false: the resource's service.name and namespace
   */
  readonly ownServiceOnly?: boolean;
}

/** Feeds finished spans to the agent. Never throws into the SDK. */
export class HeadroomSpanProcessor implements SpanProcessor {
  readonly #handles: SeriesHandles;
  readonly #rules: RuleMatcher;
  readonly #defaultService: string;
  readonly #defaultNamespace: string;
  readonly #budgets: HeadroomSpanProcessorOptions['budgets'];
  #lastResource: unknown;
  #lastService: ServiceHandles;
  readonly #ownServiceOnly: boolean;
  readonly #criticality = new SpanCriticality();
  #sawSpan = false;

  constructor(options: HeadroomSpanProcessorOptions) {
    this.#handles = new SeriesHandles(options.recorder, { maxHandles: options.maxHandles });
    if (options.evictions !== undefined) releaseOnEviction(this.#handles, options.evictions);
    this.#rules = options.rules;
    this.#defaultService = options.defaultService;
    this.#defaultNamespace = options.defaultNamespace ?? '';
    this.#lastService = this.#handles.of(this.#defaultService, this.#defaultNamespace);
    this.#budgets = options.budgets;
    this.#ownServiceOnly = options.ownServiceOnly ?? false;
  }

  /** Spans whose `headroom.criticality` was not a class: they counted in their series' class. */
  get invalidCriticalities(): number {
    return this.#criticality.invalid;
  }

  /** Whether a span has started on a provider this processor is part of (see `sdk: 'external'`). */
  get sawSpan(): boolean {
    return this.#sawSpan;
  }

  onStart(): void {
    this.#sawSpan = true;
  }

  /**
   * Before the span is sealed (its duration is known, it is still writable): a tracked span that
   * took longer than its effective budget gets a `headroom.budget.exceeded` event, so slow
   * operations stand out in Jaeger. Reads no clock: the span's own duration decides.
   */
  onEnding(span: Span): void {
    const baseMs = span.attributes[ATTR_BUDGET_MS];
    if (typeof baseMs !== 'number' || this.#budgets === undefined) return;
    const durationMs = hrTimeToMilliseconds(span.duration);
    if (durationMs <= baseMs) return;
    try {
      const attributes = span.attributes;
      const context = stringOr(attributes[ATTR_BUDGET_CONTEXT], '');
      const { service, namespace } = this.#serviceOf(span);
      const operation = stringOr(attributes[ATTR_OPERATION], span.name);
      const criticality = this.#budgets.criticalityOf({ namespace, service, operation, context });
      const budgetMs = this.#budgets.effectiveBudgetMs(baseMs, context, criticality);
      if (durationMs <= budgetMs) return;
      span.addEvent(BUDGET_EXCEEDED_EVENT, {
        [ATTR_BUDGET_MS]: budgetMs,
        [ATTR_DURATION_MS]: durationMs,
        [ATTR_BUDGET_RATIO]: durationMs / budgetMs,
      });
    } catch (error) {
      diag.error('headroom: failed to mark a span over budget', error);
    }
  }

  onEnd(span: ReadableSpan): void {
    try {
      this.#record(span);
    } catch (error) {
      diag.error('headroom: failed to record a span', error);
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  #record(span: ReadableSpan): void {
    // The same mapping the collector's receiver applies: headroom.* attributes, else YAML rules.
    // A request admission turned away is counted by admission (its 503), never judged here.
    if (admissionRejected(span.attributes)) return;
    const handle = classifySpan(this.#serviceOf(span), span, span.instrumentationScope.name, this.#rules);
    handle?.record(
      hrTimeToMilliseconds(span.duration),
      span.status.code === SpanStatusCode.ERROR,
      hrTimeToMilliseconds(span.endTime),
      undefined,
      this.#criticality.of(span.attributes),
    );
  }

  /**
   * The series handles of the span's service (service.name and service.namespace of its
   * resource); the resource object is the same for every span of a provider.
   */
  #serviceOf(span: ReadableSpan): ServiceHandles {
    const resource = span.resource;
    if (resource !== this.#lastResource && !this.#ownServiceOnly) {
      this.#lastResource = resource;
      this.#lastService = this.#handles.of(
        stringOr(resource?.attributes[ATTR_SERVICE_NAME], this.#defaultService),
        stringOr(resource?.attributes[ATTR_SERVICE_NAMESPACE], this.#defaultNamespace),
      );
    }
    return this.#lastService;
  }
}

function stringOr(value: Attributes[string], fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}
