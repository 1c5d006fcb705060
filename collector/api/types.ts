/**
 * The contract of the decision API: the JSON bodies it serves. Times are ms since the epoch and
 * decisions are the agent's own {@link DegradationDecision} values, so a client can reuse the agent's
 * types; every latency is in ms.
 */

import type {
  AdmissionDecision,
  ClassAdmission,
  Criticality,
  DegradationDecision,
  DegradationLevel,
  Percentile,
  VerdictStatus,
} from '../../agent/index.ts';
import type { ResolvedConfig } from '../../config/index.ts';

/** The `api` section of the configuration. */
export type ApiConfig = ResolvedConfig['api'];

/** A permission a token (or anonymous access) grants: `read` for GET, `override` for PUT/DELETE. */
export type Scope = ApiConfig['anonymous'][number];

/** One service as the list and the stream's `state` events show it. */
export interface ServiceSummary {
  /** `service.namespace`; '' when the service's resource has none. */
  readonly namespace: string;
  readonly service: string;
  readonly level: DegradationLevel;
  /** true while a manual override suspends automatic transitions. */
  readonly overridden: boolean;
  /** When the current level was entered, ms since the epoch. */
  readonly since: number;
  /** Every feature off at the current level. */
  readonly disabledFeatures: readonly string[];
}

/**
 * How a series stands: a verdict status from its latest evaluation, `insufficient-samples` when
 * its window held too few samples at the latest evaluation, `unbudgeted` when no budget applies.
 */
export type SeriesStatus = VerdictStatus | 'insufficient-samples' | 'unbudgeted';

/** Percentiles of a window, ms; `null` when the window is empty. */
export type LatencyPercentilesMs = Readonly<Record<Percentile, number | null>>;

/** One operation (or one phase of it) of a service in one context. */
export interface SeriesView {
  readonly operation: string;
  readonly context: string;
  /** '' for the whole operation. */
  readonly phase: string;
  readonly status: SeriesStatus;
  /** The percentile the context is judged at; `null` when unbudgeted. */
  readonly percentile: Percentile | null;
  /** That percentile at the latest evaluation, ms; `null` without a current verdict. */
  readonly observedMs: number | null;
  /** Effective budget (base x load x modifiers), ms; `null` when unbudgeted. */
  readonly budgetMs: number | null;
  /** Configured budget before scaling, ms; `null` when unbudgeted. */
  readonly baseBudgetMs: number | null;
  /** `observedMs / budgetMs`; `null` without a current verdict. */
  readonly ratio: number | null;
  /** Time of the verdict, ms since the epoch; `null` without a current verdict. */
  readonly evaluatedAt: number | null;
  /** Samples in the window now. */
  readonly count: number;
  /** Share of those samples that were errors, 0..1. */
  readonly errorRate: number;
  /** The window's percentiles now, ms. */
  readonly latencyMs: LatencyPercentilesMs;
}

/** `GET /api/v1/services/{service}` or `/api/v1/namespaces/{namespace}/services/{service}`. */
export interface ServiceDetail extends ServiceSummary {
  readonly lastDecision: DegradationDecision | null;
  /** Time of the agent's last evaluation tick, ms since the epoch; `null` before the first. */
  readonly evaluatedAt: number | null;
  /** Sorted by context, operation, phase. */
  readonly series: readonly SeriesView[];
}

/**
 * `GET .../decisions` of a service (`D` = `DegradationDecision`) and `GET .../admission/decisions`
 * (`D` = `AdmissionDecision`), under the names the service is kept under.
 */
export interface DecisionHistory<D> {
  /** `service.namespace`; '' when none. */
  readonly namespace: string;
  readonly service: string;
  /** Oldest first, newest last. */
  readonly decisions: readonly D[];
}

/**
 * `GET .../admission` of a service, and the data of the stream's `admission-state` events: the
 * service's admission state (agent/admission `AdmissionState`) with every class in the order
 * CRITICAL_PLUS, CRITICAL, SHEDDABLE_PLUS, SHEDDABLE, and what a client needs to decide alone.
 */
export interface AdmissionView {
  /** `service.namespace`; '' when none. */
  readonly namespace: string;
  readonly service: string;
  /** `admission.enabled`: false admits everything and keeps every probability at 0. */
  readonly enabled: boolean;
  /** Rejection probability in force per class (0..1), its floor and cap now, and the counts so far. */
  readonly classes: Readonly<Record<Criticality, ClassAdmission>>;
  /** The service's last admission decision; `null` before the first. */
  readonly lastDecision: AdmissionDecision | null;
  /** `admission.retryAfter`, ms: what a rejected request is told to wait. */
  readonly retryAfterMs: number;
}

/** `PUT` and `DELETE .../override` of a service. */
export interface OverrideResult {
  /** The decision the request caused; `null` for a DELETE when no override was active. */
  readonly decision: DegradationDecision | null;
  readonly state: ServiceSummary;
}

/** Every error body: a stable lower-case `code` and a sentence saying what to do. */
export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}
