/**
 * Anti-windup of the shed pressure (review15 F8): shedding rises only while it helps. A ramp
 * remembers the judging ratio when the pressure began to rise; once the pressure has risen for one
 * `admission.window` plus a tick (the time the first step needs to fill the window with requests
 * admitted under it) without the ratio falling (by {@link EFFECT_MARGIN}, or by a quarter of its
 * overshoot over the target), rising stops; if the ratio is still no better than when the ramp
 * began after `recovery.sustain` more, the pressure eases step by step (reason `ineffective`). A
 * protected class slow for reasons shedding cannot fix (a tight budget, a slow dependency, a
 * periodic GC pause) thus ends with nothing shed, where an integrating controller would wind up to
 * every cap. The idea is the gradient limiters' (Netflix concurrency-limits: act on the measured
 * effect of a change, not on the error alone).
 *
 * The latency alone cannot tell that case from a service over its capacity whose latency has
 * saturated (a bounded queue, a p95 capped by a timeout, a FIFO draining behind an overload at
 * the caps): there too the first steps show no effect. The throughput can (review15d H2/H3/M3):
 * while the load (admitted here, else finished) is over the healthy rate (healthy-rate.ts: what
 * the service handled within budget with nothing shed), the ramp does not stall: it keeps rising,
 * tick by tick like the first step delay, and never eases as `ineffective`. Once shedding has
 * brought the load back to the healthy rate, the effect test above applies; a ramp that stalls
 * there is slow on its own, and for the rest of the episode (until it ends) the rate no longer
 * keeps it rising, so easing that takes the load back over the rate does not start it again
 * (where the flow is known, only while the ratio is at the level it was judged slow at: a ratio
 * clearly over it is new load: review15e M1, see {@link Ramp.slowRatio}).
 * A ramp that would stall with the offered load clearly under the healthy rate first checks for a
 * capacity lost under the same load (capacity-check.ts, review15e H1: a saturated service finishes
 * its capacity whatever is shed): it rises a step delay more, and keeps rising for the episode if
 * what the service finishes did not fall with the shedding.
 * With no healthy rate learned (overloaded since the agent started, none restored) the latency
 * alone decides, as before.
 */

import { newLoad, type Trend } from './admission-trend.ts';
import { type CapacityCheck, capacityMove } from './capacity-check.ts';
import { type Criticality, criticalityRank } from './criticality.ts';

/** A ratio must fall by this fraction (5 %) to count as an effect of shedding. */
const EFFECT_MARGIN = 0.05;

/**
 * An effect of shedding, or new load, must also move the smoothed ratio by this many times its own
 * noise (see admission-trend.ts): a chance dip of a normal noise passes for an effect once in ~40
 * checks at 2 (review16 H2).
 */
const NOISE_SIGMAS = 2;

/**
 * Where admissions are not counted here, a smoothed ratio that rises by this fraction (25 %, well
 * beyond the noise a smoothed percentile keeps) over the last check is new load.
 */
const RISE_MARGIN = 0.25;

/** One overload episode. Times are ms since the epoch. */
export interface Ramp {
  /** The judging ratio when the ramp began (or the load last grew): easing needs no improvement on it. */
  readonly startRatio: number;
  /** When shedding last showed an effect (or the ramp began), and the ratio then. */
  readonly checkMs: number;
  readonly checkRatio: number;
  /** The load (see {@link Trend}) at the check: 20 % more is new load. */
  readonly checkLoad?: number;
  /** Since when rising has stopped for want of an effect; absent while it helps. */
  readonly stalledSinceMs?: number;
  /**
   * Since when the ramp has stalled at or under the healthy rate (see healthy-rate.ts): shedding
   * brought the load back to what the service handled within budget and the signal showed no
   * effect, so the service is slow on its own and the rate no longer keeps the ramp rising (it
   * eases as `ineffective`, though easing takes the load back over that rate). Kept for the rest
   * of the episode, through later checks (a chance dip read as an effect, the load easing gives
   * back read as new load, would otherwise start the climb to the healthy rate again); a new ramp
   * starts without it.
   */
  readonly slowSinceMs?: number;
  /**
   * The smoothed judging ratio when the ramp was judged slow on its own, where the flow is known
   * (review15e M1): the slowness's own level, which shedding showed no effect under. Kept for the
   * episode, through a new overload on top. A ratio back at it (within {@link EFFECT_MARGIN} and
   * twice the noise) with no backlog growing is that slowness, not load: the ramp neither rises on
   * it (into CRITICAL) nor counts its fall from the overload's peak as shedding that helps; it
   * stalls and eases, each step watched by the flow (admission-step.ts `ineffective`: one that
   * makes the backlog grow is stepped back, the next waits twice as long). A ratio clearly over it
   * with the load over the healthy rate is load again, verdict or not: the ramp rises. Absent in
   * collector mode: there easing at the floor would find the overload again only by its latency,
   * and cycle.
   */
  readonly slowRatio?: number;
  /**
   * The ramp's last `ineffective` step (review15e M1): a rise within two step delays of it is that
   * step's harm (the backlog it let in), and easing backs off (admission-step.ts).
   */
  readonly easedAtMs?: number;
  /**
   * The episode's check of lost capacity (capacity-check.ts, review15e H1): started where the ramp
   * would stall at a load clearly under the healthy rate; a `lost` verdict keeps it rising. Kept
   * through later checks of the episode (one check an episode); a new ramp starts without it.
   */
  readonly capacity?: CapacityCheck;
  /** The last tick the judging ratio was over the target: the ramp ends `recovery.sustain` after it. */
  readonly overMs: number;
  /** The last increase: when, and the class it shed. */
  readonly lastRise?: { readonly atMs: number; readonly criticality: Criticality };
  /**
   * A rise into a class that must wait (see {@link mayEnter}): since when the judging ratio has
   * been over the target for it without falling, and the ratio then. Cleared by a tick that is not
   * over the target.
   */
  readonly wait?: { readonly criticality: Criticality; readonly sinceMs: number; readonly ratio: number };
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
function helped(ratio: number, checkRatio: number, targetRatio: number, noise: number): boolean {
  const fall = checkRatio - ratio;
  if (fall < NOISE_SIGMAS * noise) return false;
  return fall >= checkRatio * EFFECT_MARGIN || fall >= (checkRatio - targetRatio) / 4;
}

/** A ramp (re)started at `trend`; one that goes on keeps its last rise, its wait and its verdict of slowness. */
function fresh(trend: Trend, startRatio: number, nowMs: number, last?: Ramp): RampMove {
  const ramp: Ramp = {
    startRatio,
    checkMs: nowMs,
    checkRatio: trend.ratio,
    checkLoad: trend.load,
    overMs: nowMs,
  };
  if (last === undefined) return { move: 'rise', ramp };
  const { lastRise, wait, slowSinceMs, slowRatio, easedAtMs, capacity } = last;
  return {
    move: 'rise',
    ramp: {
      ...ramp,
      ...(lastRise === undefined ? {} : { lastRise }),
      ...(wait === undefined ? {} : { wait }),
      ...(slowSinceMs === undefined ? {} : { slowSinceMs }),
      ...(slowRatio === undefined ? {} : { slowRatio }),
      ...(easedAtMs === undefined ? {} : { easedAtMs }),
      ...(capacity === undefined ? {} : { capacity }),
    },
  };
}

/**
 * The move of a tick whose judging ratio is over the target, judged on `trend` (the ratio smoothed
 * over a step delay, and the load: see admission-trend.ts). A new ramp (none, or the last one
 * ended: not over the target for `sustain`) rises; so does a ramp whose smoothed ratio fell by the
 * margin since the last check (shedding helps: the check moves here), one whose backlog grows
 * (more admitted than finish: the overload is real whatever the latency shows yet), one whose load
 * grew by a fifth, or, where admissions are not counted here, whose smoothed ratio rose by a
 * quarter (new load: the ramp starts over from here), and a ramp younger than `delayMs` since its
 * last check. So does one whose load is over the healthy rate (`trend.overCapacity`), unless it
 * was judged slow on its own: its check stays, so once the load is back at the rate the effect is
 * judged since then (or, where the flow is known, unless its ratio is back at the floor of that
 * slowness: {@link Ramp.slowRatio}). So does one the check of lost capacity keeps rising
 * ({@link Ramp.capacity}: pending, or a capacity lost). Else it stalls: it holds, and after `sustain` of stalling
 * eases while the smoothed ratio is not under the ramp's start (or its floor, when lower) by the
 * margin (and by twice its noise: review16 H2); a ramp that stalls at or under a known healthy
 * rate is marked slow on its own. At the floor (review15e M1) a ramp neither rises on shedding's
 * apparent effect, new load nor a young check: it stalls.
 */
export function rampMove(ramp: Ramp | undefined, trend: Trend, timing: RampTiming): RampMove {
  const { nowMs, delayMs, sustainMs } = timing;
  const { ratio } = trend;
  if (ramp === undefined || (nowMs - ramp.overMs >= sustainMs && !sameDisturbance(ramp, ratio, timing)))
    return fresh(trend, ratio, nowMs);
  const floored = atFloor(ramp, trend);
  if (!floored && (helped(ratio, ramp.checkRatio, timing.targetRatio, trend.noise) || trend.growing === true))
    return fresh(trend, ramp.startRatio, nowMs, ramp);
  const rise = ratio - ramp.checkRatio;
  const rose =
    trend.growing === undefined && rise > ramp.checkRatio * RISE_MARGIN && rise >= NOISE_SIGMAS * trend.noise;
  if (!floored && (rose || newLoad(trend.load, ramp.checkLoad))) return fresh(trend, ratio, nowMs, ramp);
  const { stalledSinceMs, ...going } = { ...ramp, overMs: nowMs };
  // The verdict of slowness holds the rate back only at its floor: a ratio clearly over it is load.
  const slowNow = ramp.slowSinceMs !== undefined && (ramp.slowRatio === undefined || floored);
  if (trend.overCapacity === true && !slowNow && !floored) return { move: 'rise', ramp: going };
  const young = nowMs - ramp.checkMs < delayMs && stalledSinceMs === undefined;
  const stalling = !slowNow && !floored && !young;
  const checked = capacityMove(ramp.capacity, trend.capacity, { nowMs, delayMs, stalling });
  const judged = checked.check === undefined ? going : { ...going, capacity: checked.check };
  if (checked.rise) return { move: 'rise', ramp: judged };
  const over = trend.overCapacity === false ? slow(judged, trend, nowMs) : judged;
  if (stalledSinceMs === undefined) {
    if (young && !floored) return { move: 'rise', ramp: judged };
    return { move: 'hold', ramp: { ...over, stalledSinceMs: nowMs } };
  }
  const stalledMs = nowMs - stalledSinceMs;
  const improved = ratio <= ineffectiveRatio(ramp) && ramp.startRatio - ratio >= NOISE_SIGMAS * trend.noise;
  return { move: stalledMs >= sustainMs && !improved ? 'ease' : 'hold', ramp: { ...over, stalledSinceMs } };
}

/**
 * `ramp` judged slow on its own: since now, unless it was already; where the flow is known, with
 * the ratio now as its floor ({@link Ramp.slowRatio}), unless it has one.
 */
function slow(ramp: Ramp, trend: Trend, nowMs: number): Ramp {
  if (ramp.slowSinceMs !== undefined) return ramp;
  const floor = trend.growing === undefined || ramp.slowRatio !== undefined ? {} : { slowRatio: trend.ratio };
  return { ...ramp, slowSinceMs: nowMs, ...floor };
}

/**
 * Whether the ratio is back at the ramp's floor of slowness ({@link Ramp.slowRatio}) with no
 * backlog growing: over it by no more than {@link EFFECT_MARGIN} of it, nor than twice the noise.
 */
function atFloor(ramp: Ramp, trend: Trend): boolean {
  const floor = ramp.slowRatio;
  if (floor === undefined || trend.growing !== false) return false;
  return trend.ratio - floor <= Math.max(floor * EFFECT_MARGIN, NOISE_SIGMAS * trend.noise);
}

/** A ramp held at the gate of a class (see {@link mayEnter}): its effect is measured from the rise, not before. */
export function waiting(ramp: Ramp, trend: Trend, nowMs: number): Ramp {
  return { ...ramp, checkMs: nowMs, checkRatio: trend.ratio, checkLoad: trend.load };
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
 * Whether the pressure may rise into `criticality` now (review15b N2). A rise into a class more
 * important than the last one this ramp shed, or the first rise into a class whose cap is under 1
 * (CRITICAL, SHEDDABLE_PLUS by default: classes meant to be shed reluctantly), waits until the
 * judging ratio has stayed over the target for one `window` plus a tick with the less important
 * classes at their caps, and has not fallen by the effect margin over that time: a falling signal
 * (a backlog draining, the window still catching up with the last step) shows the shedding
 * already done is working, and a 1-3 s stall is over before it could shed CRITICAL. Nor while
 * `timing.draining` (fewer requests admitted than finish: see admission-flow.ts): a FIFO's latency
 * at completion keeps rising for a whole waiting time after its backlog began to shrink. Unless
 * `timing.backlogged` (the backlog grows, or drains slower than within `recovery.sustain`: see
 * admission-flow.ts): then the flow is the evidence, and the gate opens at once (review15c H1).
 * Returns the ramp with its wait updated.
 */
export function mayEnter(
  ramp: Ramp,
  criticality: Criticality,
  cap: number,
  ratio: number,
  timing: RampTiming & { readonly draining: boolean; readonly backlogged: boolean },
): { readonly open: boolean; readonly ramp: Ramp } {
  const last = ramp.lastRise?.criticality;
  const escalates =
    last !== criticality &&
    (cap < 1 || (last !== undefined && criticalityRank(criticality) > criticalityRank(last)));
  if (!escalates || timing.backlogged) return { open: true, ramp };
  const { nowMs, delayMs, targetRatio } = timing;
  const { wait } = ramp;
  const restart = { ...ramp, wait: { criticality, sinceMs: nowMs, ratio } };
  const settling = timing.draining && !timing.backlogged;
  if (wait === undefined || wait.criticality !== criticality || settling)
    return { open: false, ramp: restart };
  if (nowMs - wait.sinceMs < delayMs) return { open: false, ramp };
  if (!timing.backlogged && (timing.draining || helped(ratio, wait.ratio, targetRatio, 0)))
    return { open: false, ramp: restart };
  const { wait: _done, ...rest } = ramp;
  return { open: true, ramp: rest };
}

/**
 * The ratio shedding had to bring the judging class under: the ramp's start, or its floor of
 * slowness when lower ({@link Ramp.slowRatio}: a fall from an overload's peak to that floor is
 * not shedding that helps), less the margin.
 */
export function ineffectiveRatio(ramp: Ramp): number {
  const from = Math.min(ramp.startRatio, ramp.slowRatio ?? ramp.startRatio);
  return Math.round(from * (1 - EFFECT_MARGIN) * 1e6) / 1e6;
}
