/**
 * Anti-windup of the shed pressure (review15 F8): shedding rises only while it helps. A ramp
 * remembers the judging ratio when the pressure began to rise; once the pressure has risen for one
 * `admission.window` plus a tick (the time the first step needs to fill the window with requests
 * admitted under it) without the ratio falling (by {@link EFFECT_MARGIN}, or by a quarter of its
 * overshoot over the target), rising stops; if the ratio is still no better than when the ramp
 * began after `recovery.sustain` more, the pressure eases step by step (reason `ineffective`). A protected class slow for reasons shedding cannot fix (a
 * tight budget, a slow dependency, a periodic GC pause) thus ends with nothing shed, where an
 * integrating controller would wind up to every cap. The idea is the gradient limiters' (Netflix
 * concurrency-limits: act on the measured effect of a change, not on the error alone).
 */

import { type Criticality, criticalityRank } from './criticality.ts';

/** A ratio must fall by this fraction (5 %) to count as an effect of shedding; rising by it is new load. */
const EFFECT_MARGIN = 0.05;

/** One overload episode. Times are ms since the epoch. */
export interface Ramp {
  /** The judging ratio when the ramp began (or the load last grew): easing needs no improvement on it. */
  readonly startRatio: number;
  /** When shedding last showed an effect (or the ramp began), and the ratio then. */
  readonly checkMs: number;
  readonly checkRatio: number;
  /** Since when rising has stopped for want of an effect; absent while it helps. */
  readonly stalledSinceMs?: number;
  /** The last tick the judging ratio was over the target: the ramp ends `recovery.sustain` after it. */
  readonly overMs: number;
  /** The last increase: when, and the class it shed. */
  readonly lastRise?: { readonly atMs: number; readonly criticality: Criticality };
}

/** What an overloaded tick does: rise, hold, or ease (shedding did not help). */
export interface RampMove {
  readonly move: 'rise' | 'hold' | 'ease';
  readonly ramp: Ramp;
}

/** The clock of one tick. */
export interface RampTiming {
  readonly nowMs: number;
  /** `admission.window` plus the time since the previous tick: how long a step takes to show. */
  readonly delayMs: number;
  /** `recovery.sustain`. */
  readonly sustainMs: number;
  /** `admission.targetRatio`. */
  readonly targetRatio: number;
}

/**
 * Whether `ratio` is an effect of shedding since the check at `checkRatio`: it fell by
 * {@link EFFECT_MARGIN} of the check's ratio, or by a quarter of its overshoot over the target (near
 * the target, where steps are small, a 5 % fall would take more steps than a step delay holds).
 */
function helped(ratio: number, checkRatio: number, targetRatio: number): boolean {
  const fall = checkRatio - ratio;
  return fall >= checkRatio * EFFECT_MARGIN || fall >= (checkRatio - targetRatio) / 4;
}

function fresh(ratio: number, startRatio: number, nowMs: number, last?: Ramp): RampMove {
  const ramp = { startRatio, checkMs: nowMs, checkRatio: ratio, overMs: nowMs };
  return { move: 'rise', ramp: last?.lastRise === undefined ? ramp : { ...ramp, lastRise: last.lastRise } };
}

/**
 * The move of a tick whose judging ratio `ratio` is over the target. A new ramp (none, or the last
 * one ended: not over the target for `sustain`) rises; so does a ramp whose ratio fell by the
 * margin since the last check (shedding helps: the check moves here) or rose by it (new load: the
 * ramp starts over from this ratio), and a ramp younger than `delayMs` since its last check. Else
 * it stalls: it holds, and after `sustain` of stalling eases while the ratio is not under the
 * ramp's start by the margin.
 */
export function rampMove(ramp: Ramp | undefined, ratio: number, timing: RampTiming): RampMove {
  const { nowMs, delayMs, sustainMs } = timing;
  if (ramp === undefined || (nowMs - ramp.overMs >= sustainMs && !sameDisturbance(ramp, ratio, timing)))
    return fresh(ratio, ratio, nowMs);
  if (helped(ratio, ramp.checkRatio, timing.targetRatio)) return fresh(ratio, ramp.startRatio, nowMs, ramp);
  if (ratio > ramp.checkRatio * (1 + EFFECT_MARGIN)) return fresh(ratio, ratio, nowMs, ramp);
  const over = { ...ramp, overMs: nowMs };
  if (ramp.stalledSinceMs === undefined) {
    if (nowMs - ramp.checkMs < delayMs) return { move: 'rise', ramp: over };
    return { move: 'hold', ramp: { ...over, stalledSinceMs: nowMs } };
  }
  const stalledMs = nowMs - ramp.stalledSinceMs;
  const improved = ratio <= ineffectiveRatio(ramp);
  return { move: stalledMs >= sustainMs && !improved ? 'ease' : 'hold', ramp: over };
}

/**
 * Whether an overload after a pause of at least `sustain` is the stalled ramp's disturbance coming
 * back (a periodic GC pause, a cron job): the ramp had stalled (shedding showed no effect), the
 * pause was shorter than `sustain` plus twice the step delay, and the ratio is no higher than the
 * ramp's last check by the margin. Then the stalled ramp goes on (and eases) instead of a fresh one
 * rising again: a disturbance that comes back every few seconds would otherwise ratchet the
 * pressure up by a step delay's worth of rising per period, to every cap.
 */
function sameDisturbance(ramp: Ramp, ratio: number, timing: RampTiming): boolean {
  if (ramp.stalledSinceMs === undefined) return false;
  const pauseMs = timing.nowMs - ramp.overMs;
  return pauseMs < timing.sustainMs + 2 * timing.delayMs && ratio <= ramp.checkRatio * (1 + EFFECT_MARGIN);
}

/**
 * Whether shedding `criticality` must wait: it is more important than the class the last increase
 * shed and that increase is younger than `delayMs`, so the window cannot show yet whether shedding
 * the less important classes to their caps was enough (the window lags the load by up to its length).
 */
export function mustWait(ramp: Ramp, criticality: Criticality, timing: RampTiming): boolean {
  const { lastRise } = ramp;
  if (lastRise === undefined || criticalityRank(criticality) <= criticalityRank(lastRise.criticality))
    return false;
  return timing.nowMs - lastRise.atMs < timing.delayMs;
}

/** The ratio shedding had to bring the judging class under: the ramp's start less the margin. */
export function ineffectiveRatio(ramp: Ramp): number {
  return Math.round(ramp.startRatio * (1 - EFFECT_MARGIN) * 1e6) / 1e6;
}
