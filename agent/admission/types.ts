/** The contract of admission control: what `admit()` answers, the decisions it takes, its state. */
import type { DegradationLevel } from '../degradation/levels.ts';
import type { Percentile } from '../window/index.ts';
import type { Criticality } from './criticality.ts';
import type { FlowReading } from './flow-evidence.ts';

/** Why a request was rejected. */
export const REJECTION_REASONS = Object.freeze([
  /** The controller's probability for the class (protected classes over budget). */
  'overload',
  /** The floor the current degradation level sets for the class (`admission.levels.*.minRejection`). */
  'degradation-level',
] as const);

/** One of {@link REJECTION_REASONS}. */
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** Stable code of a rejection, for logs, replies and metrics. */
export const ADMISSION_REJECTED = 'HEADROOM_ADMISSION_REJECTED';

/** An admitted request. */
export interface Admitted {
  readonly admitted: true;
  /** The class the request was judged in (after code, YAML and baggage precedence). */
  readonly criticality: Criticality;
}

/** A rejected request: do not start its work; an HTTP server answers 503 with Retry-After. */
export interface Rejected {
  readonly admitted: false;
  readonly criticality: Criticality;
  /** Always {@link ADMISSION_REJECTED}. */
  readonly code: typeof ADMISSION_REJECTED;
  readonly reason: RejectionReason;
  /** The class's rejection probability when the request was judged, 0..1. */
  readonly probability: number;
  /** When to try again, ms (`admission.retryAfter`). */
  readonly retryAfterMs: number;
  /** A sentence for humans, e.g. for the 503 body. */
  readonly message: string;
}

/** What `admit()` returns; it never throws. */
export type AdmissionResult = Admitted | Rejected;

/** Why a class's rejection probability changed. */
export const ADMISSION_REASONS = Object.freeze([
  /** Protected classes over `admission.targetRatio`: shedding rises (bounded by `maxStep`). */
  'overload',
  /** Protected classes below the exit ratio for `recovery.sustain`: shedding eases. */
  'recovery',
  /**
   * Shedding did not help: the judging class's ratio did not fall 5 % under where it was when
   * shedding began rising, `recovery.sustain` after rising stopped for want of an effect; it eases.
   */
  'ineffective',
  /**
   * The backlog the last rise was sized to drain (where `admit()` runs in this process) is gone:
   * the share shed to drain it is released at once, down to what keeps admissions under completions.
   */
  'drained',
  /**
   * Easing, watched (review15b N2/N13): a step down after the signal sat between the exit ratio and
   * the target for 3 x `recovery.sustain` (is the shedding still needed?), or a step back up after
   * easing brought the signal back to the exit ratio or above.
   */
  'probe',
  /** The degradation level changed the class's floor or cap. */
  'degradation-level',
  /** A config reload changed the caps, floors or `enabled`. */
  'reconfigured',
  /**
   * Cluster mode, in a worker: the primary's shedding was not renewed for 3 evaluation intervals;
   * the worker eases it one `maxStep` per interval, down to its level's floors, until the primary
   * speaks again (review15g M4).
   */
  'stale',
] as const);

/** One of {@link ADMISSION_REASONS}. */
export type AdmissionReason = (typeof ADMISSION_REASONS)[number];

/** The latency measurement an overload, recovery, ineffective or probe decision rests on. */
export interface LatencyEvidence {
  /** The class whose ratio drove the decision (the worst of those judging it). */
  readonly criticality: Criticality;
  readonly percentile: Percentile;
  /** That percentile of the class's duration/effective-budget ratios over `admission.window`. */
  readonly ratio: number;
  /**
   * `admission.targetRatio` (overload), the exit ratio `targetRatio x (1 - improvement)`
   * (recovery), or 95 % of the ratio when shedding began rising (ineffective).
   */
  readonly thresholdRatio: number;
  /** Samples of that class in the window (of every class in `pooled`, when set). */
  readonly samples: number;
  /**
   * Set when the ratio is the percentile of several classes' samples read together (a pool of the
   * classes more important than the one shed, none with `minSamples` alone or the pool worse than
   * each): samples per class. `criticality` is then the most important class of the pool.
   */
  readonly pooled?: Readonly<Partial<Record<Criticality, number>>>;
}

/**
 * The flow behind a decision where `admit()` runs in this process (issue 15, review15g M3): the
 * counts of the window the decision's message gives (admission-flow.ts Flow).
 */
export interface FlowEvidence {
  /** Requests admitted over the window. */
  readonly admitted: number;
  /** Operations finished over the window. */
  readonly finished: number;
  /** Operations admitted and not finished yet (the backlog), 0 or more. */
  readonly waiting: number;
  /** The span the counts cover, ms: `admission.window`, or less in a controller's first window. */
  readonly windowMs: number;
  /** What the flow shows at the decision's tick (flow-evidence.ts readFlow). */
  readonly reading: FlowReading;
}

/**
 * What a decision rests on: the latency ({@link LatencyEvidence}: overload, recovery, ineffective,
 * probe), the flow ({@link FlowEvidence}: a rise sized from the flow, `drained`, a `probe` that
 * steps back because the backlog grows), or both. A `drained` decision, or a step back the flow
 * alone drove, carries only `flow`.
 */
export interface AdmissionEvidence extends Partial<LatencyEvidence> {
  readonly flow?: FlowEvidence;
}

/** One change of one class's rejection probability; frozen, safe to keep, log and serialize. */
export interface AdmissionDecision {
  /** 1 for a service's first admission decision, then +1 per decision. */
  readonly seq: number;
  /** ms since the epoch. */
  readonly at: number;
  /** `service.namespace`; '' when none. */
  readonly namespace: string;
  readonly service: string;
  readonly criticality: Criticality;
  /** Rejection probability before, 0..1. */
  readonly from: number;
  /** Rejection probability after, 0..1. */
  readonly to: number;
  readonly reason: AdmissionReason;
  /** A sentence for humans with the numbers behind the decision. */
  readonly message: string;
  /** Absent for level and reload decisions. */
  readonly evidence?: AdmissionEvidence;
  /** The service's degradation level when the decision was taken. */
  readonly level: DegradationLevel;
}

/** Called synchronously with each admission decision; a listener that throws is logged and skipped. */
export type AdmissionListener = (decision: AdmissionDecision) => void;

/** One class's admission now. */
export interface ClassAdmission {
  /** Rejection probability in force, 0..1 (the controller's, raised to the level's floor, cut to the cap). */
  readonly probability: number;
  /** The cap in force at the current level. */
  readonly maxProbability: number;
  /** The floor in force at the current level. */
  readonly minProbability: number;
  /** Requests admitted and rejected since the service's admission started (cumulative counters). */
  readonly admitted: number;
  readonly rejected: number;
}

/** A snapshot of one service's admission, for APIs and dashboards. */
export interface AdmissionState {
  readonly namespace: string;
  readonly service: string;
  readonly enabled: boolean;
  readonly classes: Readonly<Record<Criticality, ClassAdmission>>;
  /**
   * The controller's shed pressure, 0 up to the sum of the caps in force: poured into the classes'
   * probabilities from SHEDDABLE up. Always set by `AdmissionController.state()`.
   */
  readonly pressure?: number;
  readonly lastDecision?: AdmissionDecision;
}
