/**
 * What one tick of the admission law hands to the next (besides the pressure): the recovery timer,
 * the overload episode's ramp (anti-windup), the easing in progress, the judging ratios of the last
 * step delay, the healthy rate (healthy-rate.ts) and the last tick's time; and the part of them a
 * checkpoint keeps and a restore takes back (admission-snapshot.ts).
 */
import { type Easing, handedOver, isIdle } from './admission-easing.ts';
import type { Ramp } from './admission-ramp.ts';
import { type AdmissionSnapshot, restoredEasing, restoredRamp } from './admission-snapshot.ts';
import type { Moment, Step } from './admission-tick.ts';
import type { Reading } from './admission-trend.ts';
import { type HealthyRate, restartedRate, restoredRate } from './healthy-rate.ts';

/** The fields of a {@link AdmissionSnapshot} that carry the law's state; absent ones are not in progress. */
export type LawCheckpoint = Pick<
  AdmissionSnapshot,
  'improvedSinceMs' | 'ramp' | 'easing' | 'lastTickMs' | 'healthyRate'
>;

/** The law's state between two ticks of one controller. */
export class LawState {
  #improvedSinceMs: number | undefined;
  #ramp: Ramp | undefined;
  #easing: Easing | undefined;
  #readings: readonly Reading[] | undefined;
  #rate: HealthyRate | undefined;
  /** The previous tick's time, ms since the epoch; `undefined` before the first tick. */
  #lastTickMs: number | undefined;

  /** Since when the improvement has held, ms since the epoch; `undefined` when it does not. */
  get improvedSinceMs(): number | undefined {
    return this.#improvedSinceMs;
  }

  /** Notes a tick at `nowMs`; returns the ms since the previous one (0 for the first). */
  tick(nowMs: number): number {
    const tickMs = nowMs - (this.#lastTickMs ?? nowMs);
    this.#lastTickMs = nowMs;
    return tickMs;
  }

  /** The tick's {@link Moment}: `now` (this tick's time, flow and shares) with the state carried. */
  moment(now: Omit<Moment, 'improvedSinceMs' | 'ramp' | 'easing' | 'readings' | 'rate'>): Moment {
    return {
      ...now,
      improvedSinceMs: this.#improvedSinceMs,
      ramp: this.#ramp,
      easing: this.#easing,
      readings: this.#readings,
      rate: this.#rate,
    };
  }

  /** Takes `step`'s state over for the next tick (its readings and rate only when it has some). */
  apply(step: Step): void {
    this.#improvedSinceMs = step.improvedSinceMs;
    this.#ramp = step.ramp;
    this.#easing = step.easing;
    this.#readings = step.readings ?? this.#readings;
    this.#rate = step.rate ?? this.#rate;
  }

  /** New ratio windows (a reload changed `window`): the healthy rate stays, its healthy streak restarts. */
  newWindows(): void {
    this.#rate = restartedRate(this.#rate);
  }

  /** A level's floors went, their share `handed` to the pressure (see admission-easing.ts handedOver). */
  handOver(handed: number, sustainMs: number): void {
    this.#easing = handedOver(this.#easing, handed, sustainMs);
  }

  /** Restarts the recovery timer, the ramp and the easing (the law's terms changed). */
  restart(): void {
    this.#improvedSinceMs = undefined;
    this.#ramp = undefined;
    this.#easing = undefined;
  }

  /**
   * What a checkpoint keeps: the recovery progress, the ramp, the easing unless idle
   * (`sustainMs`: `recovery.sustain`), the healthy rate as it last moved by 10 %, and the last
   * tick's time only while an overload is in progress (its last tick was over the target), where
   * the tick's length decides when a step can show: a healthy service's checkpoint stays the same
   * tick after tick (but for the rate's rare moves), so checkpoints have nothing to rewrite.
   */
  checkpoint(sustainMs: number): LawCheckpoint {
    const [improvedSinceMs, ramp] = [this.#improvedSinceMs, this.#ramp];
    const easing = this.#easing === undefined || isIdle(this.#easing, sustainMs) ? undefined : this.#easing;
    const lastTickMs = ramp !== undefined && ramp.overMs === this.#lastTickMs ? ramp.overMs : undefined;
    const healthyRate = this.#rate?.saved;
    return {
      ...(improvedSinceMs === undefined ? {} : { improvedSinceMs }),
      ...(ramp === undefined ? {} : { ramp }),
      ...(easing === undefined ? {} : { easing }),
      ...(lastTickMs === undefined ? {} : { lastTickMs }),
      ...(healthyRate === undefined ? {} : { healthyRate }),
    };
  }

  /** Takes a {@link checkpoint} back at `nowMs`: a time after now (the wall clock stepped back) is taken as now. */
  restore(checkpoint: LawCheckpoint, nowMs: number, sustainMs: number): void {
    const { improvedSinceMs, lastTickMs } = checkpoint;
    this.#improvedSinceMs = improvedSinceMs === undefined ? undefined : Math.min(improvedSinceMs, nowMs);
    this.#ramp = restoredRamp(checkpoint.ramp, nowMs);
    this.#easing = restoredEasing(checkpoint.easing, nowMs, sustainMs);
    this.#lastTickMs = lastTickMs === undefined ? undefined : Math.min(lastTickMs, nowMs);
    this.#rate = restoredRate(checkpoint.healthyRate, nowMs);
  }
}
