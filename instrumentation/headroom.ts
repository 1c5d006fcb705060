/**
 * The embedded Headroom a service starts: configuration, the agent, the OpenTelemetry wiring and
 * the API a service uses (track, wrap, features, modifiers, degradation).
 */
import { context, diag, ProxyTracerProvider, type Tracer, trace } from '@opentelemetry/api';
import { emptyResource } from '@opentelemetry/resources';
import type { MetricProducer } from '@opentelemetry/sdk-metrics';
import type { Sampler, SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type {
  AdmissionResult,
  Agent,
  Clock,
  Criticality,
  DecisionListener,
  DegradationLevel,
  DegradationManager,
  FeatureFlags,
  OverrideOptions,
  ReadonlyAuditLog,
  TickResult,
  Verdict,
} from '../agent/index.ts';
import {
  HEADROOM_SCOPE,
  isDegradationLevel,
  RuleMatcher,
  sameService,
  unknownLevelMessage,
} from '../agent/index.ts';
import type { ContextName, OperationContext } from '../config/index.ts';
import { InvalidArgumentError } from '../errors.ts';
import { traceAdmissionDecisions } from './admission-spans.ts';
import {
  activeCriticality,
  codeCriticality,
  invalidBaggageCriticalities,
  withSettledCriticality,
} from './criticality/active-criticality.ts';
import { admitSafely } from './criticality/admit.ts';
import { traceDecisions } from './decision-spans.ts';
import { ExternalSdkCheck } from './external-sdk-check.ts';
import type { OperationBinding } from './operation-binding.ts';
import type { Operation } from './operation-handle.ts';
import {
  createTracerProvider,
  defaultSampler,
  recordingSampler,
  serviceResource,
  UNKNOWN_SERVICE,
} from './sdk.ts';
import { HeadroomSpanProcessor } from './span-processor.ts';
import { ClientThrottles, type Throttle, type ThrottleOptions } from './throttle/index.ts';
import { Tracker } from './tracker.ts';
import type { BudgetModifiers, Headroom, MetricsEndpoint } from './types.ts';

/** Said once when `sampler()` is asked for while Headroom runs its own SDK (`start()` without `sdk: 'external'`). */
export const OWN_SDK_SAMPLER_WARNING =
  "headroom: headroom.sampler() and headroom.spanProcessors are for your own SDK (NodeSDK) with start({ sdk: 'external' }); this start() registered Headroom's own TracerProvider, so your SDK's registration is refused and its exporters get no span";

export interface HeadroomParts {
  readonly agent: Agent;
  /** Provider Headroom created, or `undefined` when the service owns its SDK. */
  readonly tracerProvider: TracerProvider | undefined;
  readonly spanProcessor: HeadroomSpanProcessor;
  /** The processors a host SDK adds (`spanProcessor` first); empty when disabled. */
  readonly spanProcessors: readonly SpanProcessor[];
  readonly tracer: Tracer;
  /** Uniform in [0, 1) for the client throttles' draws. @default Math.random */
  readonly random?: () => number;
}

/**
 * A running embedded Headroom: the public {@link Headroom} plus what the composition root and tests
 * use (the agent, shutdown hooks, the metrics endpoint's setter). Created by `wireHeadroom()`.
 */
export class EmbeddedHeadroom implements Headroom {
  /** service.name this instance judges and degrades. */
  readonly service: string;
  /** service.namespace of this service; '' when none (the config's `service.namespace`). */
  readonly namespace: string;
  /** Headroom's judging processor (first of {@link spanProcessors}). */
  readonly spanProcessor: SpanProcessor;
  /** What a host SDK adds with `sdk: 'external'`; see {@link Headroom.spanProcessors}. */
  readonly spanProcessors: readonly SpanProcessor[];
  readonly tracerProvider: TracerProvider | undefined;
  readonly agent: Agent;
  /** Headroom's tracer: the HTTP middleware starts a request's server span with it when no instrumentation did. */
  readonly tracer: Tracer;
  /** The client throttles of {@link throttle}, by target (app/ reads their counts for metrics). */
  readonly clientThrottles: ClientThrottles;
  readonly #judge: HeadroomSpanProcessor;
  readonly #tracker: Tracker;
  readonly #manager: DegradationManager;
  #stopping: Promise<void> | undefined;
  /** Set with `sdk: 'external'` until the first check is over. */
  #externalCheck: ExternalSdkCheck | undefined;
  readonly #shutdownHooks: (() => Promise<void> | void)[] = [];
  #metricsEndpoint: Promise<MetricsEndpoint> = Promise.resolve({ url: undefined });
  #metricProducer: () => MetricProducer = () => NO_METRICS;
  #ownSdkWarned = false;

  constructor(parts: HeadroomParts, service: string, namespace = '') {
    this.service = service;
    this.namespace = namespace;
    this.agent = parts.agent;
    this.tracerProvider = parts.tracerProvider;
    this.spanProcessor = parts.spanProcessor;
    this.#judge = parts.spanProcessor;
    this.tracer = parts.tracer;
    this.spanProcessors = parts.spanProcessors;
    this.#manager = parts.agent.degradation(service, namespace);
    // Created now, so every tick steers it (with the level) before the first request asks it.
    parts.agent.admission(service, namespace);
    // The service's own state (level, SLO history) is never evicted, however idle it is.
    const own = this.#manager.id;
    parts.agent.addServiceActivity((id) =>
      sameService(id, own) ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY,
    );
    const config = parts.agent.config;
    const { operations, phases } = config.limits;
    this.#tracker = new Tracker(
      {
        tracer: parts.tracer,
        clock: parts.agent.clock,
        baseBudgetMs: (operation, context) => parts.agent.targets.baseBudgetMs(operation, context),
        criticalityOf: (operation, context) =>
          parts.agent.targets.criticalityOf({ namespace, service, operation, context }),
        effectiveBudgetMs: (base, context, criticality) =>
          parts.agent.budgets.effectiveBudgetMs(base, context, criticality),
        hardDeadlineFactor: (context) => config.contexts[context]?.hardDeadlineFactor ?? 2,
        phaseShare: (context, phase) => config.contexts[context]?.phases[phase],
        knownContexts: () => Object.keys(config.contexts),
        maxPhases: phases,
      },
      operations * (Object.keys(config.contexts).length + 1),
    );
    traceDecisions(this.#manager, parts.tracer);
    // Created now, so the level's floors apply (and show in metrics) before the first admit().
    parts.agent.admission(service, namespace);
    // The agent's listener survives a controller replaced by a reload; only this service's decisions.
    traceAdmissionDecisions(
      (listener) =>
        parts.agent.onAdmissionDecision((decision) => {
          if (sameService(decision, own)) listener(decision);
        }),
      parts.tracer,
    );
    this.clientThrottles = new ClientThrottles({
      // Headroom turned off (enabled: false, OTEL_SDK_DISABLED) sends every call too.
      config: {
        ...config.admission.clientThrottle,
        enabled: config.enabled && config.admission.clientThrottle.enabled,
      },
      clock: parts.agent.clock,
      random: parts.random,
      maxNameLength: config.limits.nameLength,
    });
  }

  /** The adaptive throttle of outbound calls to `target`; see {@link Headroom.throttle}. */
  throttle(target: string, options?: ThrottleOptions): Throttle {
    return this.clientThrottles.get(target, options);
  }

  /**
   * The `headroom.criticality` values ignored as no class (app/ exports them as
   * `headroom_criticality_invalid_total`): W3C baggage values this process read, and the spans
   * this instance judged.
   */
  invalidCriticalities(): { readonly baggage: number; readonly span: number } {
    return { baggage: invalidBaggageCriticalities(), span: this.#judge.invalidCriticalities };
  }

  /** Runs `fn` as a tracked operation; see {@link Tracker.track}. */
  track<R, C extends ContextName = ContextName>(
    operation: string,
    context: C,
    fn: (operation: Operation<OperationContext<C>>) => R,
  ): R {
    if (this.#externalCheck !== undefined) return this.#tracker.track(operation, context, this.#checked(fn));
    return this.#tracker.track(operation, context, fn);
  }

  /** The binding of (operation, context) `track()` would use: budget, span attributes, phases. */
  binding(operation: string, context: string): OperationBinding {
    return this.#tracker.binding(operation, context);
  }

  /** Wraps `fn` so every call is tracked; see {@link Tracker.wrap}. */
  wrap<A extends unknown[], R>(
    operation: string,
    context: ContextName,
    fn: (...args: A) => R,
  ): (...args: A) => R {
    return this.#tracker.wrap(operation, context, this.#externalCheck === undefined ? fn : this.#checked(fn));
  }

  /**
   * With `sdk: 'external'`: reports once, from inside the first tracked span (started by now),
   * when the span did not reach `spanProcessor`. Never throws.
   */
  watchExternalSdk(clock: Clock): void {
    this.#externalCheck = new ExternalSdkCheck(
      this.spanProcessor as HeadroomSpanProcessor,
      clock,
      this.tracer,
    );
  }

  #checked<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    const self = this;
    return function checked(this: unknown, ...args: A): R {
      const check = self.#externalCheck;
      if (check !== undefined) {
        check.verify();
        self.#externalCheck = undefined;
      }
      return fn.apply(this, args);
    };
  }

  /**
   * Asks admission whether work of `criticality` may start now; see {@link Headroom.admit}. An
   * argument that is not a class is said once and ignored (the active class is used). Never throws.
   */
  admit(criticality?: Criticality): AdmissionResult {
    const settled = codeCriticality('admit()', criticality) ?? activeCriticality(context.active());
    return admitSafely(() => this.agent.admission(this.service, this.namespace), settled);
  }

  /**
   * Runs `fn` with `criticality` as the active class and in baggage; see
   * {@link Headroom.withCriticality}. A value that is not a class is said once and ignored: `fn`
   * runs in the class that was active.
   */
  withCriticality<R>(criticality: Criticality, fn: () => R): R {
    const settled = codeCriticality('withCriticality()', criticality);
    if (settled === undefined) return fn();
    return context.with(withSettledCriticality(context.active(), settled), fn);
  }

  /** `sampler` recording every span (itself when disabled); see {@link Headroom.sampler}. */
  sampler(sampler?: Sampler): Sampler {
    if (this.spanProcessors.length === 0) return sampler ?? defaultSampler();
    if (this.tracerProvider !== undefined && !this.#ownSdkWarned) {
      // Asked for by a host SDK's setup: without sdk: 'external' Headroom registered its own
      // provider, so the host's (NodeSDK's) registration is refused and its exporters get nothing.
      this.#ownSdkWarned = true;
      diag.warn(OWN_SDK_SAMPLER_WARNING);
    }
    return recordingSampler(sampler);
  }

  /** Feature switches at the current degradation level: `features.enabled('recommendations')`. */
  get features(): FeatureFlags {
    return this.#manager.features;
  }

  /** Named budget modifiers from `adaptive.modifiers`, switched on and off at run time. */
  get modifiers(): BudgetModifiers {
    return this.agent.modifiers;
  }

  /** Current degradation level of this service. */
  get level(): DegradationLevel {
    return this.#manager.level;
  }

  /**
   * Pins the level until {@link clearOverride} (or `untilMs`); audited.
   * @throws {InvalidArgumentError} `HEADROOM_ERR_API_INVALID_ARGUMENT` when `level` is not a level
   * (with the closest one when it looks like a typo) or `untilMs` is not a representable time
   */
  override(level: DegradationLevel, reason: string, options?: OverrideOptions): void {
    if (!isDegradationLevel(level))
      throw new InvalidArgumentError('level', `headroom.override: ${unknownLevelMessage(level)}`);
    const untilMs = options?.untilMs;
    if (untilMs !== undefined && Number.isNaN(new Date(untilMs).getTime()))
      throw new InvalidArgumentError(
        'untilMs',
        `headroom.override: untilMs must be a time in ms since the epoch, got ${String(untilMs)}`,
      );
    this.#manager.override(level, reason, options);
  }

  clearOverride(reason: string): void {
    this.#manager.clearOverride(reason);
  }

  /** Calls `listener` with every degradation decision; returns the unsubscribe function. */
  onDecision(listener: DecisionListener): () => void {
    return this.#manager.subscribe(listener);
  }

  /** The bounded audit log of decisions: `toJSON()`, `toCSV()`. */
  get auditLog(): ReadonlyAuditLog {
    return this.#manager.auditLog;
  }

  /** Verdicts of the last evaluation tick. */
  verdicts(): readonly Verdict[] {
    return this.agent.lastTick?.verdicts ?? [];
  }

  /** Runs one evaluation now (the agent also ticks on its own). */
  tick(): TickResult {
    return this.agent.tick();
  }

  /**
   * Stops ticking, then shuts down the provider Headroom created and every exporter at once, all
   * under one bound, `shutdown.timeout` (default 10 s): it settles by then whatever the backends
   * do (what was not delivered is counted as dropped). Idempotent; never rejects.
   */
  shutdown(): Promise<void> {
    this.#stopping ??= this.#shutdown();
    return this.#stopping;
  }

  async #shutdown(): Promise<void> {
    this.agent.stop();
    this.#externalCheck?.cancel();
    const timeoutMs = this.agent.config.shutdown.timeoutMs;
    const steps = [() => this.tracerProvider?.shutdown(), ...this.#shutdownHooks].map(runSafely);
    // Created after the steps started, so an exporter bounded by the same timeout counts its
    // drops first. Ref'd on purpose: the caller awaits this, so it must settle even when only
    // unref'd work remains; it holds the process for at most `timeoutMs`.
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), timeoutMs);
    });
    const late = await Promise.race([Promise.all(steps).then(() => false), expired]);
    clearTimeout(timer);
    if (late) diag.warn(`headroom: shutdown did not finish within ${timeoutMs} ms; gave up waiting`);
  }

  /** Runs `hook` during {@link shutdown}, beside the tracer provider's shutdown (exporters use it). */
  addShutdownHook(hook: () => Promise<void> | void): void {
    this.#shutdownHooks.push(hook);
  }

  /**
   * Where the Prometheus endpoint (`exporters.prometheus`) serves, once it has started or failed
   * to; `{ url: undefined }` when it is turned off. Never rejects.
   * @example const { url } = await headroom.metricsEndpoint(); // 'http://127.0.0.1:9464/metrics'
   */
  metricsEndpoint(): Promise<MetricsEndpoint> {
    return this.#metricsEndpoint;
  }

  /** Headroom's metrics for the service's own pipeline; see {@link Headroom.metricProducer}. */
  metricProducer(): MetricProducer {
    return this.#metricProducer();
  }

  /** Sets what {@link metricProducer} returns (start() does; without it, a producer of no metrics). */
  setMetricProducer(producer: () => MetricProducer): void {
    this.#metricProducer = producer;
  }

  /** Records the endpoint {@link metricsEndpoint} reports (start() calls it with the exporter's). */
  setMetricsEndpoint(endpoint: Promise<MetricsEndpoint>): void {
    this.#metricsEndpoint = endpoint.catch((error: unknown) => ({
      url: undefined,
      error: error instanceof Error ? error : new Error(String(error)),
    }));
  }
}

/** What {@link EmbeddedHeadroom.metricProducer} gives when start() did not wire the agent's metrics. */
const NO_METRICS: MetricProducer = Object.freeze({
  collect: () =>
    Promise.resolve({ resourceMetrics: { resource: emptyResource(), scopeMetrics: [] }, errors: [] }),
});

/** Starts `step` now; its failure (thrown or rejected) is logged, never passed on. */
function runSafely(step: () => Promise<void> | void): Promise<void> {
  const logFailure = (error: unknown): void => diag.error('headroom: a shutdown step failed', error);
  try {
    return Promise.resolve(step()).catch(logFailure);
  } catch (error) {
    logFailure(error);
    return Promise.resolve();
  }
}

export interface WiringOptions {
  readonly agent: Agent;
  /**
   * 'own': Headroom creates and registers the SDK; 'external': the service adds `spanProcessor` to
   * its own; 'disabled' (OTEL_SDK_DISABLED or `enabled: false`): no spans, track() just runs the function.
   */
  readonly sdk: 'own' | 'external' | 'disabled';
  readonly spanProcessors: readonly SpanProcessor[];
  readonly sampler: Sampler | undefined;
  readonly registerGlobal: boolean;
  /** Uniform in [0, 1) for the client throttles. @default Math.random */
  readonly random?: () => number;
}

/** Wires an agent to OpenTelemetry and returns the running Headroom. */
export function wireHeadroom(options: WiringOptions): EmbeddedHeadroom {
  const { agent } = options;
  const service = agent.config.service.name ?? UNKNOWN_SERVICE;
  const namespace = agent.config.service.namespace ?? '';
  const spanProcessor = new HeadroomSpanProcessor({
    recorder: agent,
    budgets: {
      criticalityOf: (series) => agent.targets.criticalityOf(series),
      effectiveBudgetMs: (base, context, criticality) =>
        agent.budgets.effectiveBudgetMs(base, context, criticality),
    },
    rules: new RuleMatcher(agent.config.rules),
    defaultService: service,
    defaultNamespace: namespace,
    maxHandles: 2 * agent.config.window.maxSeries,
    evictions: agent,
    // A host SDK's resource names spans for its export; Headroom judges them as its own service.
    ownServiceOnly: options.sdk === 'external',
  });
  let tracerProvider: TracerProvider | undefined;
  let tracer: Tracer;
  if (options.sdk === 'own') {
    tracerProvider = createTracerProvider({
      resource: serviceResource(agent.config.service),
      spanProcessors: [spanProcessor, ...options.spanProcessors],
      sampler: options.sampler,
      registerGlobal: options.registerGlobal,
    });
    tracer = tracerProvider.getTracer(HEADROOM_SCOPE);
  } else if (options.sdk === 'external') {
    tracer = trace.getTracer(HEADROOM_SCOPE);
  } else {
    // A proxy provider with no delegate hands out no-op tracers: tracking costs next to nothing.
    tracer = new ProxyTracerProvider().getTracer(HEADROOM_SCOPE);
  }
  const spanProcessors = options.sdk === 'disabled' ? [] : [spanProcessor, ...options.spanProcessors];
  const parts = { agent, tracerProvider, spanProcessor, spanProcessors, tracer, random: options.random };
  const headroom = new EmbeddedHeadroom(parts, service, namespace);
  if (options.sdk === 'external') headroom.watchExternalSdk(agent.clock);
  return headroom;
}
