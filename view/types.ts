/**
 * The contract of the live view (docs/decision-api.md, "Live view API"): the JSON of
 * `GET /api/v1/view` and the events of `GET /api/v1/view/stream`. Times are ms since the epoch,
 * durations and latencies ms; a missing value is `null` (JSON), so charts show gaps.
 */
import type {
  ClassAdmission,
  Criticality,
  DegradationLevel,
  DegradationReason,
  Percentile,
  VerdictStatus,
} from '../agent/index.ts';

/**
 * How an operation stands: its latest verdict's status, `insufficient-samples` when its window held
 * too few samples at the latest evaluation, `unbudgeted` when no budget applies.
 */
export type OperationStatus = VerdictStatus | 'insufficient-samples' | 'unbudgeted';

/** The last points of an operation, oldest first, one per resolution step; `null` where none was taken. */
export interface HistoryView {
  /** Each step's time (a multiple of the resolution), ms since the epoch. */
  readonly atMs: readonly number[];
  readonly p50: readonly (number | null)[];
  readonly p95: readonly (number | null)[];
  readonly p99: readonly (number | null)[];
  /** Effective budget at each step, ms. */
  readonly budgetMs: readonly (number | null)[];
  /** Samples in the window at each step. */
  readonly count: readonly (number | null)[];
}

/** One whole operation (no phases) of a service in one context. */
export interface OperationView {
  readonly operation: string;
  readonly context: string;
  /** The percentile the context is judged at; `null` when unbudgeted. */
  readonly percentile: Percentile | null;
  readonly status: OperationStatus;
  /** The judged percentile at the latest evaluation, ms; `null` without a current verdict. */
  readonly observedMs: number | null;
  /** Effective budget now (base x load x modifiers x class), ms; `null` when unbudgeted. */
  readonly budgetMs: number | null;
  /** `1 - observedMs / budgetMs` (negative when over); `null` without a current verdict. */
  readonly headroom: number | null;
  /** Samples in the window now. */
  readonly count: number;
  /** The window's percentiles now, ms; `null` when the window is empty. */
  readonly latencyMs: {
    readonly p50: number | null;
    readonly p95: number | null;
    readonly p99: number | null;
  };
  /** Absent from `service` stream events. */
  readonly history?: HistoryView;
}

/** An active manual override of a service's level. */
export interface OverrideView {
  readonly level: DegradationLevel;
  readonly reason: string;
  /** When it expires, ms since the epoch; `null` when it does not. */
  readonly untilMs: number | null;
}

/** An active budget modifier (`adaptive.modifiers`); modifiers apply to every service of the agent. */
export interface ModifierView {
  readonly name: string;
  readonly factor: number;
  /** Modifiers stay on until cleared: always `null` today. */
  readonly untilMs: number | null;
}

/** One level change from the service's degradation audit log. */
export interface TransitionView {
  readonly seq: number;
  readonly atMs: number;
  readonly from: DegradationLevel;
  readonly to: DegradationLevel;
  readonly reason: DegradationReason;
  readonly message: string;
}

/** One (long, short) burn-rate window pair of an SLO (SRE Workbook, "Alerting on SLOs"). */
export interface BurnRatePairView {
  readonly severity: 'page' | 'ticket';
  readonly longWindowMs: number;
  readonly shortWindowMs: number;
  /** Burn rate over the long window (1 spends the budget in exactly one SLO window). */
  readonly long: number;
  readonly short: number;
  /** The pair fires when both rates exceed this. */
  readonly threshold: number;
}

/** One SLO of a service. */
export interface SloView {
  readonly name: string;
  readonly objective: number;
  readonly windowMs: number;
  /** Share of the error budget left, 1 with no events, negative once overspent. */
  readonly errorBudgetRemaining: number;
  /** The workbook's four pairs, pages first. */
  readonly burnRates: readonly BurnRatePairView[];
}

/** A service's admission (load shedding) state. */
export interface AdmissionSummaryView {
  readonly enabled: boolean;
  /** Rejection probability in force per class, its floor and cap, and the counts so far. */
  readonly classes: Readonly<Record<Criticality, ClassAdmission>>;
  /** The controller's shed pressure. */
  readonly pressure: number;
}

/** One service of the view. */
export interface ServiceView {
  /** `service.namespace`; '' when none. */
  readonly namespace: string;
  readonly service: string;
  readonly level: DegradationLevel;
  /** When the current level was entered, ms since the epoch. */
  readonly since: number;
  readonly overridden: boolean;
  readonly disabledFeatures: readonly string[];
  readonly override: OverrideView | null;
  readonly modifiers: readonly ModifierView[];
  /** The latest level changes, oldest first (at most {@link MAX_TRANSITIONS}). */
  readonly transitions: readonly TransitionView[];
  readonly slos: readonly SloView[];
  /** `null` when `admission.enabled` is false. */
  readonly admission: AdmissionSummaryView | null;
  /** Sorted by headroom ascending, `null` last, then context, operation. */
  readonly operations: readonly OperationView[];
}

/** `GET /api/v1/view`, and the stream's `view` event. */
export interface ViewAnswer {
  readonly generatedAtMs: number;
  /** The agent's instance id (new at each process start). */
  readonly instanceId: string;
  /** `ui.history.resolution`, ms. */
  readonly resolutionMs: number;
  /** `ui.history.length`, ms. */
  readonly lengthMs: number;
  /** Sorted by each service's lowest headroom ascending (none last), then namespace, name. */
  readonly services: readonly ServiceView[];
}

/** One operation's values at a resolution step (the stream's `point` event). */
export interface PointView {
  readonly namespace: string;
  readonly service: string;
  readonly operation: string;
  readonly context: string;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly budgetMs: number | null;
  readonly observedMs: number | null;
  readonly headroom: number | null;
  readonly status: OperationStatus;
  readonly count: number;
}

/** The stream's `point` event: every visible operation at one resolution step. */
export interface PointEvent {
  readonly atMs: number;
  readonly points: readonly PointView[];
}

/** Most transitions a service's view carries (the newest). */
export const MAX_TRANSITIONS = 50;
