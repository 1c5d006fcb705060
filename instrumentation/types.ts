/**
 * The contract of embedded Headroom as a service sees it: what `start()` returns. The class behind
 * it (`EmbeddedHeadroom`) has more (the agent, shutdown hooks) for the composition root and tests.
 */
import type { MetricProducer } from '@opentelemetry/sdk-metrics';
import type { Sampler, SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type {
  AdmissionResult,
  Criticality,
  DecisionListener,
  DegradationLevel,
  FeatureFlags,
  OverrideOptions,
  ReadonlyAuditLog,
  TickResult,
  Verdict,
} from '../agent/index.ts';
import type { ContextName, ModifierName, OperationContext } from '../config/index.ts';
import type { Operation } from './operation-handle.ts';
import type { Throttle, ThrottleOptions } from './throttle/index.ts';

/** Where the Prometheus endpoint serves: its URL, or why there is none. */
export interface MetricsEndpoint {
  /** e.g. `http://127.0.0.1:9464/metrics` (the port actually bound); undefined when not serving. */
  readonly url: string | undefined;
  /** Why it is not serving (EADDRINUSE, ...); undefined when serving or turned off. */
  readonly error?: Error;
}

/**
 * The named budget modifiers of `adaptive.modifiers`, switched on and off at run time. Names are
 * {@link ModifierName}s: `string`, or the configured modifiers once `headroom types` has run.
 */
export interface BudgetModifiers {
  /**
   * Activates a configured modifier; true (also when it was already active).
   * @throws {InvalidArgumentError} `HEADROOM_ERR_API_INVALID_ARGUMENT` for a name not under `adaptive.modifiers`
   */
  set(name: ModifierName): boolean;
  /** Deactivates a configured modifier; same contract as `set`. */
  clear(name: ModifierName): boolean;
  /** Whether the modifier is active now; false for unknown names. */
  has(name: ModifierName): boolean;
  /** The active modifier names, in activation order. */
  active(): readonly ModifierName[];
}

/** A running embedded Headroom. Create it with `start()`. */
export interface Headroom {
  /** service.name this instance judges and degrades. */
  readonly service: string;
  /** service.namespace of this service; '' when none (the config's `service.namespace`). */
  readonly namespace: string;
  /** Headroom's judging processor; with `sdk: 'external'` add {@link Headroom.spanProcessors} (it comes first there). */
  readonly spanProcessor: SpanProcessor;
  /**
   * What to give your own SDK with `sdk: 'external'`, e.g. `new NodeSDK({ spanProcessors:
   * [...headroom.spanProcessors, yourExport] })`: {@link Headroom.spanProcessor} first, then the
   * `spanProcessors` passed to `start()`. Your SDK exports the spans (Headroom's `exporters.otlp`
   * then pushes its metrics only). Empty when Headroom is disabled (`OTEL_SDK_DISABLED`,
   * `enabled: false`).
   */
  readonly spanProcessors: readonly SpanProcessor[];
  /**
   * `sampler` wrapped so that every span is recorded, and so judged by Headroom, while your
   * exporters still get only the spans `sampler` samples: `new NodeSDK({ sampler:
   * headroom.sampler(new TraceIdRatioBasedSampler(0.1)) })`. Returns `sampler` itself when
   * Headroom is disabled.
   * @param sampler what decides export; @default parent-based always-on (the SDK's default)
   */
  sampler(sampler?: Sampler): Sampler;
  /** The provider Headroom created (`sdk: 'own'`); undefined with `sdk: 'external'` or when disabled. */
  readonly tracerProvider: TracerProvider | undefined;
  /**
   * Runs `fn` as the tracked operation `operation` in budget context `context`: a span judged against
   * the context's budget. Returns what `fn` returns (a promise too) and lets its errors through
   * untouched; never throws anything of its own. With generated names (`headroom types`),
   * `context` must be a configured context and `op.phase()` takes that context's phases.
   */
  track<R, C extends ContextName = ContextName>(
    operation: string,
    context: C,
    fn: (operation: Operation<OperationContext<C>>) => R,
  ): R;
  /** Wraps `fn` so every call is tracked as by {@link Headroom.track}; `this` and arguments pass through. */
  wrap<A extends unknown[], R>(
    operation: string,
    context: ContextName,
    fn: (...args: A) => R,
  ): (...args: A) => R;
  /**
   * The adaptive throttle of outbound calls to `target` (a backend's name, e.g. `'payments'`):
   * once the backend refuses calls (429, 503), it rejects new ones locally with the SRE book's
   * probability max(0, (requests - k x accepts) / (requests + 1)) over `admission.clientThrottle.window`,
   * per criticality class. The same throttle for the same target; at most
   * `admission.clientThrottle.maxTargets` targets (calls to more share `__overflow__`, never throttled).
   * @throws {InvalidArgumentError} `HEADROOM_ERR_API_INVALID_ARGUMENT` when `target` is empty, longer
   * than `limits.nameLength` or `__overflow__`, or `k` is below 1 or differs from the target's existing throttle's
   * @example
   * const result = await headroom.throttle('payments').run(() => fetch(url));
   * if (result.throttled) return fallback(); // not sent: payments refuses most calls now
   */
  throttle(target: string, options?: ThrottleOptions): Throttle;
  /**
   * Asks, before the work starts, whether work of `criticality` may start now (load shedding by
   * criticality, Google SRE "Handling Overload"): `{ admitted: true, criticality }`, or
   * `{ admitted: false, code: 'HEADROOM_ADMISSION_REJECTED', reason, probability, retryAfterMs,
   * message, criticality }`: do not start it (an HTTP server answers 503 with `Retry-After`).
   * CRITICAL_PLUS is never rejected; with `admission.enabled: false` everything is admitted.
   * Returns a value, never throws: a `criticality` that is not a class is ignored (said once).
   * @param criticality the work's class, final (code wins over YAML and baggage); @default the
   * active class: the one {@link Headroom.withCriticality} or the HTTP middleware set, else the
   * incoming baggage's lowering CRITICAL, else CRITICAL
   * @example
   * const admission = headroom.admit('SHEDDABLE');
   * if (!admission.admitted) return { retryAfterMs: admission.retryAfterMs };
   */
  admit(criticality?: Criticality): AdmissionResult;
  /**
   * Runs `fn` with `criticality` as the active class: `admit()` and `track()` inside use it, and
   * it is in W3C baggage (`headroom.criticality=<CLASS>`), so calls `fn` makes carry it to the next
   * service. Returns what `fn` returns (a promise too) and lets its errors through. A
   * `criticality` that is not a class is ignored (said once): `fn` runs in the class that was active.
   * @example
   * await headroom.withCriticality('SHEDDABLE', () => fetch('http://recommendations/for/42'));
   */
  withCriticality<R>(criticality: Criticality, fn: () => R): R;
  /** Feature switches at the current degradation level: `features.enabled('recommendations')`. */
  readonly features: FeatureFlags;
  /** Named budget modifiers from `adaptive.modifiers`, switched on and off at run time. */
  readonly modifiers: BudgetModifiers;
  /** Current degradation level of this service. */
  readonly level: DegradationLevel;
  /**
   * Pins the level until {@link Headroom.clearOverride} (or `untilMs`); audited.
   * @throws {InvalidArgumentError} `HEADROOM_ERR_API_INVALID_ARGUMENT` when `level` is not a level or
   * `untilMs` is not a representable time
   */
  override(level: DegradationLevel, reason: string, options?: OverrideOptions): void;
  /** Releases a manual override; the level follows the verdicts again. Audited. */
  clearOverride(reason: string): void;
  /** Calls `listener` with every degradation decision; returns the unsubscribe function. */
  onDecision(listener: DecisionListener): () => void;
  /** The bounded audit log of decisions: `entries()`, `toJSON()`, `toCSV()`. */
  readonly auditLog: ReadonlyAuditLog;
  /** Verdicts of the last evaluation tick; empty before the first. */
  verdicts(): readonly Verdict[];
  /** Runs one evaluation now (Headroom also evaluates on its own every `evaluation.interval`). */
  tick(): TickResult;
  /**
   * Where the Prometheus endpoint (`exporters.prometheus`) serves, once it has started or failed
   * to; `{ url: undefined }` when it is turned off. Never rejects.
   */
  metricsEndpoint(): Promise<MetricsEndpoint>;
  /**
   * Headroom's metrics for the service's own OpenTelemetry pipeline: pass it in `metricProducers`
   * of the service's `PrometheusExporter` (or any metric reader) and its `/metrics` serves them
   * beside the service's own. The same producer on every call; collections never reject.
   * @example new PrometheusExporter({ metricProducers: [headroom.metricProducer()] })
   */
  metricProducer(): MetricProducer;
  /**
   * Stops evaluating and shuts down the provider Headroom created and every exporter, within
   * `shutdown.timeout` (default 10 s) whatever the backends do. Idempotent; never rejects.
   */
  shutdown(): Promise<void>;
}
