/**
 * A cluster worker's admission (review15f H4): its `admit()` decides with the primary's
 * probabilities, and what it saw goes up to the primary, whose controllers steer on the whole
 * group. Up: the ratios its controllers accepted, bucketed (100 ms of end time, 1 % of ratio: the
 * primary's sketches hold 1 % anyway), and the requests its `admit()` admitted and rejected since
 * the previous delta. Down: each service's admission in force at the primary, followed at once. A
 * followed state that rejects anything must be renewed (the primary sends it every evaluation
 * interval while it sheds): after {@link STALE_INTERVALS} intervals without it the worker eases the
 * primary's shedding one `maxStep` an interval (decisions with reason `stale`; counted in
 * `admissionFallbacks`) down to the floors of the level it follows, until the primary speaks again.
 */

import {
  boundsAt,
  controllerShares,
  FILL_ORDER,
  inForce,
  pressureAtLevel,
  round6,
} from '../admission/admission-law.ts';
import { staleMessage } from '../admission/admission-messages.ts';
import { CRITICALITIES, type Criticality } from '../admission/criticality.ts';
import type { Agent } from '../agent.ts';
import { type DegradationLevel, levelIndex } from '../degradation/levels.ts';
import { type ServiceId, serviceKey } from '../service-id.ts';
import type { AdmissionDelta, RatioBucket, ServiceAdmission } from './protocol.ts';

/** Evaluation intervals a shedding state is followed without being renewed. */
const STALE_INTERVALS = 3;

const BUCKET_MS = 100;
/** Ratio buckets are powers of this: a ratio is shipped to within 0.5 %. */
const GAMMA = 1.01;
const LOG_GAMMA = Math.log(GAMMA);

interface Bucket {
  endMs: number;
  readonly ratio: number;
  count: number;
}

/**
 * A class's buckets: by 100 ms slot of end time, then by ratio exponent. Two maps, never one key
 * packing both: `slot * 2^20 + exponent` passes 2^53 at a wall-clock time (review15g M1), where
 * neighbouring exponents share a double and so a bucket.
 */
type Buckets = Map<number, Map<number, Bucket>>;

interface Pending {
  readonly id: ServiceId;
  readonly classes: Map<Criticality, Buckets>;
  /** Ratios that aged out of the window unshipped, per class: shipped as completions (`late`). */
  readonly late: Partial<Record<Criticality, number>>;
}

type Counts = Record<Criticality, { admitted: number; rejected: number }>;

export class WorkerAdmission {
  readonly #agent: Agent;
  readonly #pending = new Map<string, Pending>();
  /** Each service's cumulative admit() counts at the last delta, by service key. */
  readonly #shipped = new Map<string, Counts>();
  /** The admission followed per service key, when it arrived, and whether it is being eased as stale. */
  readonly #held = new Map<
    string,
    { readonly state: ServiceAdmission; readonly renewedMs: number; readonly easing?: boolean }
  >();
  #fallbacks = 0;
  #shippedFallbacks = 0;

  constructor(agent: Agent) {
    this.#agent = agent;
  }

  /** Shedding states dropped as not renewed in time, since start. */
  get fallbacks(): number {
    return this.#fallbacks;
  }

  /** The agent's admission tap: buckets one accepted ratio. Never throws (plain arithmetic). */
  readonly record = (id: ServiceId, criticality: Criticality, ratio: number, endMs: number): void => {
    const key = serviceKey(id);
    let pending = this.#pending.get(key);
    if (pending === undefined) {
      pending = { id, classes: new Map(), late: {} };
      this.#pending.set(key, pending);
    }
    let buckets = pending.classes.get(criticality);
    if (buckets === undefined) {
      buckets = new Map();
      pending.classes.set(criticality, buckets);
    }
    // One bucket per 100 ms and ratio step (a ratio of 0 has its own, exponent -Infinity).
    const exponent = ratio > 0 ? Math.round(Math.log(ratio) / LOG_GAMMA) : Number.NEGATIVE_INFINITY;
    const slot = Math.floor(endMs / BUCKET_MS);
    let steps = buckets.get(slot);
    if (steps === undefined) {
      steps = new Map();
      buckets.set(slot, steps);
    }
    const bucket = steps.get(exponent);
    if (bucket === undefined)
      steps.set(exponent, { endMs, ratio: ratio > 0 ? GAMMA ** exponent : 0, count: 1 });
    else {
      bucket.count++;
      if (endMs > bucket.endMs) bucket.endMs = endMs;
    }
  };

  /**
   * Folds the ratios that ended before the admission window ending at `nowMs` (the primary's
   * windows refuse them) into a count per class, shipped as completions (review15g M4: their
   * admissions were shipped; dropping them left the primary a backlog that was not there).
   */
  expire(nowMs: number): void {
    const oldestMs = nowMs - this.#agent.config.admission.windowMs;
    for (const pending of this.#pending.values())
      for (const [criticality, buckets] of pending.classes)
        for (const [slot, steps] of buckets) {
          for (const [exponent, bucket] of steps) {
            if (bucket.endMs > oldestMs) continue;
            pending.late[criticality] = (pending.late[criticality] ?? 0) + bucket.count;
            steps.delete(exponent);
          }
          if (steps.size === 0) buckets.delete(slot);
        }
  }

  /** What the worker's admission saw since the previous take, and the fallbacks since then. */
  take(): { admission: AdmissionDelta[]; fallbacks: number } {
    const deltas = new Map<string, AdmissionDelta>();
    for (const [key, { id, classes, late }] of this.#pending) {
      const samples: Partial<Record<Criticality, RatioBucket[]>> = {};
      let any = Object.keys(late).length > 0;
      for (const [criticality, buckets] of classes) {
        if (buckets.size === 0) continue;
        const shipped: RatioBucket[] = [];
        for (const steps of buckets.values())
          for (const b of steps.values()) shipped.push([b.endMs, b.ratio, b.count]);
        samples[criticality] = shipped;
        any = true;
      }
      if (any)
        deltas.set(key, {
          namespace: id.namespace,
          service: id.service,
          samples,
          admitted: {},
          rejected: {},
          ...(Object.keys(late).length > 0 ? { late } : {}),
        });
    }
    this.#pending.clear();
    for (const id of this.#agent.services()) this.#counts(id, deltas);
    const fallbacks = this.#fallbacks - this.#shippedFallbacks;
    this.#shippedFallbacks = this.#fallbacks;
    return { admission: [...deltas.values()], fallbacks };
  }

  /**
   * Follows each service's admission as the primary has it in force (`nowMs`: when it arrived).
   * When the service's degradation level (followed just before) is not yet the one the primary's
   * controller took its bounds at (it takes a new level at its next tick), the caps and floors are
   * those of the new level at once, as that tick will set them (the same pressure poured again).
   */
  follow(states: readonly ServiceAdmission[], nowMs: number): void {
    for (const state of states) {
      const level = this.#agent.degradation(state.service, state.namespace).level;
      const followed = level === state.level ? state : this.#atLevel(state, level);
      this.#agent.admission(state.service, state.namespace).follow(followed);
      this.#held.set(serviceKey(state), { state, renewedMs: nowMs });
    }
  }

  #atLevel(state: ServiceAdmission, level: DegradationLevel): ServiceAdmission {
    const bounds = boundsAt(this.#agent.config.admission, level);
    const own = FILL_ORDER.reduce((sum, c) => sum + state.shares[c], 0);
    // As the primary's controller will: a level that dropped hands its floors' share to the pressure.
    const dropped = levelIndex(level) < levelIndex(state.level);
    const pressure = pressureAtLevel(own, { before: state.bounds, after: bounds }, dropped);
    const shares = controllerShares(pressure, bounds);
    return { ...state, level, bounds, shares, probabilities: inForce(shares, bounds) };
  }

  /**
   * Eases the primary's shedding in each followed state not renewed for {@link STALE_INTERVALS}
   * intervals, one `maxStep` per interval down to the floors of the level it follows (review15g
   * M4: each step a decision, reason `stale`; the episode counted once when it shed anything),
   * held like the level's disabled features until the primary speaks again.
   */
  checkStale(nowMs: number): void {
    const { admission, evaluation } = this.#agent.config;
    const staleMs = STALE_INTERVALS * evaluation.intervalMs;
    for (const [key, { state, renewedMs, easing }] of this.#held) {
      if (nowMs - renewedMs < staleMs) continue;
      const pressure = FILL_ORDER.reduce((sum, c) => sum + state.shares[c], 0);
      if (pressure > 0 && easing !== true) this.#fallbacks++;
      const next = round6(Math.max(0, pressure - admission.maxStep));
      const eased = { ...state, shares: controllerShares(next, state.bounds) };
      if (next === 0) this.#held.delete(key);
      else this.#held.set(key, { state: eased, renewedMs, easing: true });
      const level = this.#agent.degradation(state.service, state.namespace).level;
      const stale = {
        staleMs: nowMs - renewedMs,
        step: admission.maxStep,
        intervalMs: evaluation.intervalMs,
        level,
      };
      this.#agent
        .admission(state.service, state.namespace)
        .fallBack(this.#atLevel(eased, level), (c, from, to) => staleMessage(c, from, to, stale));
    }
  }

  /** Adds the increase of `id`'s admit() counts since the previous delta, when there is one. */
  #counts(id: ServiceId, deltas: Map<string, AdmissionDelta>): void {
    const key = serviceKey(id);
    const { classes } = this.#agent.admission(id.service, id.namespace).state();
    const shipped = this.#shipped.get(key);
    const now = {} as Counts;
    const admitted: Partial<Record<Criticality, number>> = {};
    const rejected: Partial<Record<Criticality, number>> = {};
    let any = false;
    for (const c of CRITICALITIES) {
      now[c] = { admitted: classes[c].admitted, rejected: classes[c].rejected };
      // The worker's agent never ticks, so it never evicts a controller: its counts only grow.
      const base = shipped?.[c] ?? { admitted: 0, rejected: 0 };
      const a = now[c].admitted - base.admitted;
      const r = now[c].rejected - base.rejected;
      if (a > 0) admitted[c] = a;
      if (r > 0) rejected[c] = r;
      any ||= a > 0 || r > 0;
    }
    this.#shipped.set(key, now);
    if (!any) return;
    const taken = deltas.get(key);
    const samples = taken?.samples ?? {};
    const late = taken?.late === undefined ? {} : { late: taken.late };
    deltas.set(key, { namespace: id.namespace, service: id.service, samples, admitted, rejected, ...late });
  }
}
