/**
 * The request side of one service's admission controller: what a cluster worker follows and taps
 * (review15f H4). `admit()` draws each class's rejection with the probabilities in force, its own
 * or followed from the cluster's primary; `record()` feeds the ratio windows and the sample tap
 * that ships them to the primary; the primary counts what the workers' `admit()` judged. What
 * observes (the law's tick, the level, reloads, checkpoints) is {@link AdmissionController}'s.
 */
import type { Clock } from '../clock.ts';
import { type ServiceId, serviceId } from '../service-id.ts';
import { SteadyClock } from '../steady-clock.ts';
import { ClassCounters, type FollowedAdmission } from './class-counters.ts';
import { ClassRequests } from './class-requests.ts';
import { ClassWindows } from './class-windows.ts';
import { type Criticality, DEFAULT_CRITICALITY, isCriticality } from './criticality.ts';
import type { AdmissionResult } from './types.ts';

/** Sees one ratio a controller's windows accepted; cheap, never throws. */
export type AdmissionSampleTap = (
  id: ServiceId,
  criticality: Criticality,
  ratio: number,
  endMs: number,
) => void;

/** What the request side is built from (see AdmissionControllerOptions). */
export interface AdmissionGateOptions {
  readonly windowMs: number;
  readonly clock: Clock;
  readonly service?: string;
  readonly namespace?: string;
  readonly random?: () => number;
}

/** The request side; {@link update} puts the controller's probabilities in force (template method). */
export abstract class AdmissionGate {
  /** The service this controller decides for. */
  readonly id: ServiceId;
  /** Requests per class over the window: a class with requests is in use, samples or not (review16 M3). */
  protected readonly requests: ClassRequests;
  protected readonly counters: ClassCounters;
  protected windows: ClassWindows;
  /**
   * The time of every admission structure (windows, flow, ramp, easing, back-off): the clock given,
   * kept from going back (review15g M2: a wall clock stepping back blinded the windows for the step).
   */
  protected readonly steady: SteadyClock;
  /** Sees each ratio the windows accepted (a cluster worker ships them to its primary). */
  sampleTap: AdmissionSampleTap | undefined;

  constructor(options: AdmissionGateOptions) {
    this.id = serviceId(options.namespace ?? '', options.service ?? 'unknown_service:node');
    this.steady = new SteadyClock(options.clock);
    this.requests = new ClassRequests(this.steady.now());
    this.windows = new ClassWindows(options.windowMs, this.steady, this.requests);
    this.counters = new ClassCounters(options.random ?? Math.random);
  }

  /** Puts this controller's own probabilities in force (the counters' `update` with its terms). */
  protected abstract update(): void;

  /**
   * Admits or rejects one request of class `criticality` (an unknown class counts as CRITICAL):
   * rejected with the class's probability, drawn with the injected `random`; always admitted when
   * `admission.enabled` is false, and CRITICAL_PLUS always. Never throws (a throwing `random` admits).
   */
  admit(criticality: Criticality): AdmissionResult {
    return this.counters.admit(isCriticality(criticality) ? criticality : DEFAULT_CRITICALITY);
  }

  /**
   * Records one finished operation: `ratio` = its duration / its effective budget, `endMs` its end
   * time on the wall clock (taken onto the {@link steady} clock's scale). Never throws: an unknown
   * class, a NaN, negative or infinite ratio and an end time outside the window around now are dropped.
   */
  record(criticality: Criticality, ratio: number, endMs: number): void {
    if (!isCriticality(criticality)) return;
    if (this.windows.record(criticality, ratio, this.steady.fromWall(endMs)))
      this.sampleTap?.(this.id, criticality, ratio, endMs);
  }

  /**
   * Cluster mode. In a worker: `admit()` decides with `followed`, the primary's admission, until
   * `follow(undefined)` puts this controller's own back. In the primary: {@link followable} is what
   * it ships, and {@link counted} adds what the workers' `admit()` judged, so the flow, the offered
   * load and the metrics count every worker's requests. Never throw.
   */
  follow(followed: FollowedAdmission | undefined): void {
    if (followed !== undefined) this.counters.follow(followed);
    else {
      this.counters.unfollow();
      this.update();
    }
  }

  followable(): FollowedAdmission {
    return this.counters.followable(this.enabled);
  }

  counted(criticality: Criticality, admitted: number, rejected: number): void {
    if (isCriticality(criticality)) this.counters.count(criticality, admitted, rejected);
  }

  /**
   * Cluster mode, in the primary: `count` operations of `criticality` a worker saw finish too long
   * ago for the window (its buckets aged out unshipped): completions for the flow, as its admissions
   * were counted (review15g M4), with no ratio. Never throws: a count that is not a positive whole
   * number is dropped.
   */
  completed(criticality: Criticality, count: number): void {
    if (isCriticality(criticality) && Number.isSafeInteger(count) && count > 0)
      this.windows.completed(criticality, count);
  }

  /** Whether `admission.enabled` is on. */
  protected abstract get enabled(): boolean;

  /**
   * Counts `count` requests of `criticality` whose admission ran elsewhere (collector mode: spans
   * of the service naming the class in `headroom.criticality`, judged or not): over the window,
   * they make the class in use, so the law sheds it step by step instead of passing it as empty
   * (review16 M3). Requests this process's `admit()` judges are counted already. Never throws: an
   * unknown class or a count that is not a positive whole number is dropped.
   */
  requested(criticality: Criticality, count = 1): void {
    if (isCriticality(criticality) && Number.isSafeInteger(count) && count > 0)
      this.requests.add(criticality, count);
  }

  /** The probability a request of `criticality` is rejected now, 0..1 (0 when disabled). */
  probability(criticality: Criticality): number {
    return isCriticality(criticality) ? this.counters.probabilities[criticality] : 0;
  }
}
