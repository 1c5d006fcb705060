/**
 * The bridge from OpenTelemetry to the agent: every finished span that carries a Headroom context
 * (from track()) or matches a YAML rule becomes one sample of its series. Register it on the
 * TracerProvider next to the exporting processors; with `createAlwaysRecordSampler` it also sees
 * spans sampled out for export, so every operation is counted.
 */
import { type Attributes, diag, SpanStatusCode } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import {
  ATTR_BUDGET_CONTEXT,
  ATTR_BUDGET_MS,
  ATTR_BUDGET_RATIO,
  ATTR_DURATION_MS,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_NAMESPACE,
  BUDGET_EXCEEDED_EVENT,
  classifySpan,
  type Recorder,
  type RuleMatcher,
} from '../agent/index.ts';

export interface HeadroomSpanProcessorOptions {
  readonly recorder: Recorder;
  /** Effective budgets, to mark spans that ended over theirs. */
  readonly budgets?: { effectiveBudgetMs(baseBudgetMs: number, context: string): number };
  readonly rules: RuleMatcher;
  /** service.name used when a span's resource has none. */
  readonly defaultService: string;
  /** service.namespace used when a span's resource has none. @default '' (none) */
  readonly defaultNamespace?: string;
}

/** Feeds finished spans to the agent. Never throws into the SDK. */
export class HeadroomSpanProcessor implements SpanProcessor {
  readonly #recorder: Recorder;
  readonly #rules: RuleMatcher;
  readonly #defaultService: string;
  readonly #defaultNamespace: string;
  readonly #budgets: HeadroomSpanProcessorOptions['budgets'];
  #lastResource: unknown;
  #lastService: string;
  #lastNamespace: string;
  #sawSpan = false;

  constructor(options: HeadroomSpanProcessorOptions) {
    this.#recorder = options.recorder;
    this.#rules = options.rules;
    this.#defaultService = options.defaultService;
    this.#lastService = options.defaultService;
    this.#defaultNamespace = options.defaultNamespace ?? '';
    this.#lastNamespace = this.#defaultNamespace;
    this.#budgets = options.budgets;
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
      const context = span.attributes[ATTR_BUDGET_CONTEXT];
      const budgetMs = this.#budgets.effectiveBudgetMs(baseMs, typeof context === 'string' ? context : '');
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
    const service = this.#serviceOf(span);
    const namespace = this.#lastNamespace;
    // The same mapping the collector's receiver applies: headroom.* attributes, else YAML rules.
    const target = classifySpan(service, span, span.instrumentationScope.name, this.#rules, namespace);
    if (target === undefined) return;
    const isError = span.status.code === SpanStatusCode.ERROR;
    this.#recorder.record(
      service,
      target.operation,
      target.context,
      target.phase,
      hrTimeToMilliseconds(span.duration),
      isError,
      hrTimeToMilliseconds(span.endTime),
      namespace,
    );
  }

  /**
   * service.name of the span's resource, caching its service.namespace in `#lastNamespace`; the
   * resource object is the same for every span of a provider.
   */
  #serviceOf(span: ReadableSpan): string {
    const resource = span.resource;
    if (resource !== this.#lastResource) {
      this.#lastResource = resource;
      this.#lastService = stringOr(resource?.attributes[ATTR_SERVICE_NAME], this.#defaultService);
      this.#lastNamespace = stringOr(resource?.attributes[ATTR_SERVICE_NAMESPACE], this.#defaultNamespace);
    }
    return this.#lastService;
  }
}

function stringOr(value: Attributes[string], fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}
