/**
 * The hot side of admission: the probabilities in force per class, the draw that admits or rejects
 * a request, and the admitted/rejected counters. Rebuilt on every change of the pressure, level or
 * config; `admit()` itself reads one number and allocates nothing.
 */
import { diag } from '@opentelemetry/api';
import type { DegradationLevel } from '../degradation/levels.ts';
import {
  type AdmissionConfig,
  controllerShares,
  inForce,
  type LevelBounds,
  type Probabilities,
} from './admission-law.ts';
import { rejectionMessage } from './admission-messages.ts';
import { CRITICALITIES, type Criticality } from './criticality.ts';
import {
  ADMISSION_REJECTED,
  type AdmissionResult,
  type Admitted,
  type ClassAdmission,
  type Rejected,
} from './types.ts';

const ZERO: Probabilities = Object.freeze({ CRITICAL_PLUS: 0, CRITICAL: 0, SHEDDABLE_PLUS: 0, SHEDDABLE: 0 });

const ADMITTED = Object.freeze(
  Object.fromEntries(CRITICALITIES.map((c) => [c, Object.freeze({ admitted: true, criticality: c })])),
) as Readonly<Record<Criticality, Admitted>>;

/** Floor and cap of one class at the bounds given (CRITICAL_PLUS: 0 and 0). */
export function classBounds(bounds: LevelBounds, criticality: Criticality): { floor: number; cap: number } {
  if (criticality === 'CRITICAL_PLUS') return { floor: 0, cap: 0 };
  return { floor: bounds.floors[criticality], cap: bounds.caps[criticality] };
}

/**
 * The admission a cluster worker follows (README "Node cluster mode"): what the primary's
 * controller of the service has in force, shipped in its state. Probabilities 0..1, `retryAfterMs` ms.
 */
export interface FollowedAdmission {
  readonly enabled: boolean;
  readonly level: DegradationLevel;
  readonly retryAfterMs: number;
  /** The primary controller's own probabilities (before floors): they tell `overload` from `degradation-level`. */
  readonly shares: Probabilities;
  /** The probabilities in force there: the worker's `admit()` draws against them. */
  readonly probabilities: Probabilities;
  readonly bounds: LevelBounds;
}

/** Per-class probabilities, draws and counters of one controller. */
export class ClassCounters {
  readonly #random: () => number;
  /** The controller's own probabilities (before floors). */
  shares: Probabilities = ZERO;
  /** The probabilities in force. */
  probabilities: Probabilities = ZERO;
  readonly admitted: Record<Criticality, number> = { ...ZERO };
  readonly rejected: Record<Criticality, number> = { ...ZERO };
  #rejections: Partial<Record<Criticality, Rejected>> = {};
  #retryAfterMs = 0;
  #level: DegradationLevel = 'NONE';
  #bounds: LevelBounds | undefined;
  /** Set in a cluster worker: the primary's admission, in force instead of this controller's own. */
  #followed: FollowedAdmission | undefined;

  constructor(random: () => number) {
    this.#random = random;
  }

  /** Recomputes the probabilities from the pressure; all 0 when admission is disabled. */
  update(config: AdmissionConfig, pressure: number, bounds: LevelBounds, level: DegradationLevel): void {
    this.shares = config.enabled ? Object.freeze(controllerShares(pressure, bounds)) : ZERO;
    this.probabilities = config.enabled ? Object.freeze(inForce(this.shares, bounds)) : ZERO;
    this.#retryAfterMs = config.retryAfterMs;
    this.#level = level;
    this.#bounds = bounds;
    this.#rejections = {};
    if (this.#followed !== undefined) this.follow(this.#followed);
  }

  /**
   * Puts `followed` (a cluster primary's admission) in force instead of this controller's own
   * probabilities, until {@link unfollow}; a later {@link update} keeps it.
   */
  follow(followed: FollowedAdmission): void {
    this.#followed = followed;
    this.shares = followed.enabled ? followed.shares : ZERO;
    this.probabilities = followed.enabled ? followed.probabilities : ZERO;
    this.#retryAfterMs = followed.retryAfterMs;
    this.#level = followed.level;
    this.#bounds = followed.bounds;
    this.#rejections = {};
  }

  /** Drops the followed admission: `update` then puts this controller's own in force again. */
  unfollow(): void {
    this.#followed = undefined;
  }

  /** What is in force now, as a worker would follow it. */
  followable(enabled: boolean): FollowedAdmission {
    const { shares, probabilities } = this;
    const bounds = this.#bounds as LevelBounds;
    return { enabled, level: this.#level, retryAfterMs: this.#retryAfterMs, shares, probabilities, bounds };
  }

  /** Adds requests judged elsewhere with these probabilities (a cluster worker's `admit()`). */
  count(criticality: Criticality, admitted: number, rejected: number): void {
    this.admitted[criticality] += admitted;
    this.rejected[criticality] += rejected;
  }

  /** One draw: rejected when `random()` falls under the class's probability. */
  admit(criticality: Criticality): AdmissionResult {
    const probability = this.probabilities[criticality];
    if (probability > 0 && this.#draw() < probability) {
      this.rejected[criticality]++;
      this.#rejections[criticality] ??= this.#rejection(criticality, probability);
      return this.#rejections[criticality];
    }
    this.admitted[criticality]++;
    return ADMITTED[criticality];
  }

  #draw(): number {
    try {
      return this.#random();
    } catch (error) {
      diag.error('headroom: the admission random source threw; the request is admitted', error);
      return 1;
    }
  }

  /** Reason `degradation-level` when the level's floor, not the controller, sets the probability. */
  #rejection(criticality: Criticality, probability: number): Rejected {
    const { floor } = classBounds(this.#bounds as LevelBounds, criticality);
    const byLevel = probability === floor && floor > this.shares[criticality];
    return Object.freeze({
      admitted: false,
      criticality,
      code: ADMISSION_REJECTED,
      reason: byLevel ? 'degradation-level' : 'overload',
      probability,
      retryAfterMs: this.#retryAfterMs,
      message: rejectionMessage(
        criticality,
        probability,
        byLevel ? this.#level : undefined,
        this.#retryAfterMs,
      ),
    });
  }
}

/** Each class's admission now; with `bounds` undefined (disabled) floors and caps read 0. */
export function classStates(
  counters: ClassCounters,
  bounds: LevelBounds | undefined,
): Readonly<Record<Criticality, ClassAdmission>> {
  const entries = CRITICALITIES.map((criticality) => {
    const { floor, cap } = bounds === undefined ? { floor: 0, cap: 0 } : classBounds(bounds, criticality);
    const state: ClassAdmission = {
      probability: counters.probabilities[criticality],
      maxProbability: cap,
      minProbability: floor,
      admitted: counters.admitted[criticality],
      rejected: counters.rejected[criticality],
    };
    return [criticality, state];
  });
  return Object.fromEntries(entries) as Record<Criticality, ClassAdmission>;
}
