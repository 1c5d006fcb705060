/**
 * One tick of the admission law: the judging classes' signal in, the next shed pressure out, with
 * the cause the decisions will carry. The anti-flap guards are the degradation manager's: minimum
 * samples before anything rises, a bounded step per tick, recovery only after a sustained
 * improvement (Google SRE "Addressing Cascading Failures": shed early, recover slowly); shedding
 * rises only when a class more important than the one it sheds needs it (admission-signal.ts) and
 * only while it helps (admission-ramp.ts); it eases only while easing does not bring the overload
 * back (admission-easing.ts).
 */

import { backedOff } from './admission-backoff.ts';
import { busyDrain, drainEcho, release } from './admission-drain.ts';
import {
  backedOffAgain,
  calm,
  type Easing,
  eased,
  echoing,
  idleEasing,
  inFlight,
  leftBand,
} from './admission-easing.ts';
import { aheadRatio, backlogged, draining, growing } from './admission-flow.ts';
import { exitRatio, FILL_ORDER, floorPressure, overloadStep, round6 } from './admission-law.ts';
import { ineffectiveMessage, overloadMessage } from './admission-messages.ts';
import { ineffectiveRatio, mayEnter, type Ramp, rampMove, waiting } from './admission-ramp.ts';
import { recovery, sizedNow, stepBack } from './admission-recovery.ts';
import { type Frontier, frontierOf, type Signal, SignalReader, topShed } from './admission-signal.ts';
import type { Cause, Law, Moment, Step, Tick } from './admission-tick.ts';
import { smooth, type Trend } from './admission-trend.ts';
import { capacitySample } from './capacity-check.ts';
import type { Criticality } from './criticality.ts';
import { flowEvidence, impliedMs, trustedFlow } from './flow-evidence.ts';
import { learnRate, overCapacity } from './healthy-rate.ts';

/** How soon a backlog must drain (review15c H1): within `recovery.sustain`. */
function drainMs(tick: Tick): number {
  return tick.timing.sustainMs;
}

/** The pressure after one increase of `frontier`'s class judged by `worst`, with its cause. */
function rise(tick: Tick, frontier: Frontier, worst: Signal, ramp: Ramp, easing: Easing): Step {
  const { config, windows } = tick.law;
  const { from, top, criticality } = frontier;
  const latency = { ...worst, thresholdRatio: config.targetRatio };
  // Where the flow shows a backlog out of hand, the step is sized to what brings the admissions
  // under the completions and drains it (review15c H1), each class to its cap.
  const { flow } = tick;
  const sized = sizedNow(tick);
  // An early rise (the latency still under the target: see decide) is the flow's alone.
  // A read reaching back k windows (window-reach.ts) shows a step k times later: k times smaller
  // steps rise as far within a step delay as at `admission.window`, not k times past the effect;
  // unless the backlog grows (more admitted than finish: the overload is certain, and grows).
  const scale = growing(flow) ? 1 : windows.baseMs / windows.windowMs;
  const reach = { ...config, maxStep: config.maxStep * scale };
  const byLatency =
    worst.ratio > config.targetRatio ? Math.min(top, from + overloadStep(worst.ratio, reach)) : 0;
  const next = round6(Math.max(byLatency, sized ?? 0, tick.law.pressure));
  const backlog = sized === undefined || flow === undefined ? undefined : { flow, grows: growing(flow) };
  // A step the flow sized carries the flow it was sized from (review15g M3: else its evidence
  // showed only a ratio under the target).
  const evidence = Object.freeze(
    backlog === undefined
      ? latency
      : { ...latency, flow: flowEvidence(backlog.flow, tick.moment, windows.windowMs) },
  );
  const message = (c: Criticality, p0: number, p1: number) =>
    overloadMessage(c, p0, p1, latency, windows.windowMs, backlog);
  const lastRise = { atMs: tick.timing.nowMs, criticality };
  const cause: Cause = { reason: 'overload', evidence, message };
  // The rise drains a backlog when the flow sized it, or when it rises on one the flow sized
  // before (the latency then shows the requests that waited in it).
  const { drain, ...rest } = easing;
  const draining =
    (sized !== undefined && next <= sized) || (drain !== undefined && backlogged(flow, drainMs(tick)));
  const after = draining ? { ...rest, drain: {} } : rest;
  return { pressure: next, improvedSinceMs: undefined, ramp: { ...ramp, lastRise }, easing: after, cause };
}

/**
 * One step down by `maxStep`, shedding having not helped since the ramp began. The step is an
 * easing step like recovery's (admission-easing.ts, review15e M1): where the flow is known, one
 * that makes the backlog grow again is stepped back (`probe`) and the next `ineffective` step
 * waits the doubled easing wait, one step at a time while backed off; a class slow on its own
 * while an overload goes on is thus eased ever more rarely instead of cycling.
 */
function ineffective(tick: Tick, worst: Signal, ramp: Ramp, easing: Easing): Step {
  const { config, pressure, windows } = tick.law;
  const evidence = Object.freeze({ ...worst, thresholdRatio: ineffectiveRatio(ramp) });
  const stalledMs = tick.timing.nowMs - (ramp.stalledSinceMs ?? tick.timing.nowMs);
  const message = (c: Criticality, p0: number, p1: number) =>
    ineffectiveMessage(c, p0, p1, evidence, { stalledMs, windowMs: windows.windowMs });
  const next = round6(Math.max(0, pressure - config.maxStep));
  const criticality = topShed(tick.moment.shares);
  const step = { from: pressure, to: next, criticality, ratio: worst.ratio, watched: false };
  return {
    pressure: next,
    improvedSinceMs: undefined,
    ramp: { ...ramp, easedAtMs: tick.timing.nowMs },
    easing: eased(easing, step, tick.timing),
    cause: { reason: 'ineffective', evidence, message },
  };
}

/**
 * The easing for a rise (review15e M1): backed off again when the ramp has a floor of slowness
 * (admission-ramp.ts `slowRatio`: the rise is load over it) and the rise comes within two step
 * delays of an `ineffective` step (the backlog that step let in, whether the flow showed it in
 * time for a step back or the ramp rose on it first). Without a floor a rise so soon may be a
 * chance dip of a noisy ratio read as an effect, and backing off would hold shedding that does not
 * help.
 */
function afterEasing(easing: Easing, ramp: Ramp, timing: Tick['timing']): Easing {
  const easedAtMs = ramp.easedAtMs;
  if (ramp.slowRatio === undefined || easedAtMs === undefined) return easing;
  if (timing.nowMs - easedAtMs >= 2 * timing.delayMs) return easing;
  return backedOffAgain(easing, timing);
}

/**
 * Whether an `ineffective` step may be taken now (review15e M1): the easing wait has passed since
 * the last step back and, while backed off, since the ramp's last rise, with no step in flight.
 */
function easeDue(easing: Easing, ramp: Ramp, timing: Tick['timing']): boolean {
  const { nowMs } = timing;
  if (easing.backAtMs !== undefined && nowMs - easing.backAtMs < easing.backoffMs) return false;
  if (!backedOff(easing, timing)) return true;
  const risenAtMs = ramp.lastRise?.atMs;
  if (risenAtMs !== undefined && nowMs - risenAtMs < easing.backoffMs) return false;
  return !inFlight(easing, timing);
}

/**
 * Over the target: the ramp decides whether to rise (into the frontier's class, if it may), hold or
 * ease; with no `frontier` (nothing may rise), only whether to hold or ease.
 */
function overload(
  tick: Tick,
  frontier: Frontier | undefined,
  judge: Signal,
  trend: Trend,
  easing: Easing,
): Step {
  const { law, moment, timing } = tick;
  const { pressure, bounds } = law;
  const moved = rampMove(moment.ramp, trend, timing);
  // With nothing to rise into, a ramp eases only shedding it raised itself: one that began after
  // the shedding in force (the overload came back, no worse) has nothing of its own to take back.
  const idle = moved.move === 'rise' || moved.ramp.lastRise === undefined;
  if (frontier === undefined && idle) {
    const { wait: _cleared, ...ramp } = moved.ramp;
    return { pressure, improvedSinceMs: undefined, ramp, easing };
  }
  if (moved.move === 'rise' && frontier !== undefined) {
    const cap = bounds.caps[frontier.criticality];
    const gating = {
      ...timing,
      draining: draining(tick.flow),
      backlogged: backlogged(tick.flow, drainMs(tick)),
    };
    const gate = mayEnter(moved.ramp, frontier.criticality, cap, trend.ratio, gating);
    if (gate.open) return rise(tick, frontier, judge, gate.ramp, afterEasing(easing, gate.ramp, timing));
    const ramp = waiting(gate.ramp, trend, timing.nowMs);
    return { pressure, improvedSinceMs: undefined, ramp, easing };
  }
  // Where admissions are counted here, a backlog that drains or grows is load the shedding acts on
  // (Little's law): the ratio of a draining FIFO stays high for a whole waiting time, so only a
  // service that keeps up (as many finish as are admitted) and stays slow is slow on its own. A
  // load over the healthy rate never gets here as 'ease' (rampMove: it is over capacity).
  const backlog = draining(tick.flow) || growing(tick.flow);
  if (moved.move === 'ease' && pressure > 0 && !backlog && easeDue(easing, moved.ramp, timing))
    return ineffective(tick, judge, moved.ramp, easing);
  return { pressure, improvedSinceMs: undefined, ramp: moved.ramp, easing };
}

/**
 * The law for one tick. A step back in progress, or due (easing brought the signal back: see
 * admission-easing.ts), comes first; else the tick is calm for the steps in flight. For a step
 * delay after a step back, an overload is the eased steps'
 * echo in the window and holds. Rising: the class the step would shed is the frontier (see
 * {@link frontierOf}); the signal judging it is the worst of the classes more important than it,
 * one by one and pooled (see {@link SignalReader.judging}); over `targetRatio`, the ramp decides
 * (see rampMove, mayEnter): the pressure rises by {@link overloadStep} from the frontier's start,
 * holds when shedding shows no effect or may not enter the frontier's class yet, or eases
 * (`ineffective`). Else {@link recovery}. With no pressure and no signal nothing moves (low traffic).
 * Then the tick teaches the healthy rate (healthy-rate.ts) its load, healthy or not (see
 * withinBudget); the step carries the rate after it (`rate`).
 */
export function nextPressure(law: Law, moment: Moment): Step {
  const { config, windows } = law;
  const { nowMs } = moment;
  const timing = {
    nowMs,
    delayMs: windows.windowMs + moment.tickMs,
    windowMs: windows.windowMs,
    sustainMs: config.recovery.sustainMs,
    targetRatio: config.targetRatio,
    exitRatio: exitRatio(config),
  };
  const reader = new SignalReader(config, windows);
  const { flow } = moment;
  const tick: Tick = { law, moment, reader, timing, flow: trustedFlow(flow, moment, windows.windowMs) };
  const step = decide(tick);
  const load = flow?.arrivals ?? reader.completions();
  const { windowMs, delayMs } = timing;
  const rate = learnRate(moment.rate, { nowMs, load, windowMs, delayMs, healthy: withinBudget(tick) });
  return { ...step, rate };
}

/**
 * Whether the tick is healthy for the healthy rate: nothing shed (no pressure, no level floor) and
 * the classes judging the frontier (the class an increase would shed) within the target.
 */
function withinBudget(tick: Tick): boolean {
  const { law, reader, timing } = tick;
  if (law.pressure > 0 || FILL_ORDER.some((c) => law.bounds.floors[c] > 0)) return false;
  const frontier = frontierOf(0, 0, law.bounds, law.windows);
  const judge = frontier === undefined ? undefined : reader.judging(frontier.criticality);
  return judge !== undefined && judge.ratio <= timing.targetRatio;
}

/** {@link nextPressure} before learning: the step the tick decides. */
function decide(tick: Tick): Step {
  const { law, moment, reader, timing, flow } = tick;
  const { config, bounds, pressure, windows } = law;
  const { nowMs } = timing;
  const easing = moment.easing ?? idleEasing(timing.sustainMs);
  const back = stepBack(tick, easing);
  if (back !== undefined) return back;
  const { back: _reached, ...calmed } = calm(easing, timing);
  const current = busyDrain(calmed, flow);
  const released = release(tick, current);
  if (released !== undefined) return released;
  const frontier = frontierOf(pressure, floorPressure(bounds), bounds, windows);
  const judge = frontier === undefined ? undefined : reader.judging(frontier.criticality);
  // Where admissions are counted here, a backlog growing from a steady flow is an overload before
  // the latency shows it (review15c H1): rising starts once the latency it leads to is near the budget.
  const early = judge !== undefined && aheadRatio(judge.ratio, flow, timing.windowMs) > timing.exitRatio;
  const rising = judge !== undefined && (judge.ratio > config.targetRatio || early);
  // Nothing more may rise (every class at its cap, or the next class's judges are within budget)
  // while a class already shed is judged over the target: the ramp still decides whether the
  // shedding in force helps or eases (review16 H2: else a false effect that took SHEDDABLE to its
  // cap held it there for good).
  const shed = rising || pressure === 0 ? undefined : reader.judging(topShed(moment.shares));
  const over = rising ? judge : shed !== undefined && shed.ratio > config.targetRatio ? shed : undefined;
  if (over === undefined) return recovery(tick, current);
  // An echo of eased steps holds, unless the flow sizes at least a step more than the pressure
  // holds: that is load now, not the echo (review onset15: a burst that finds easing under way).
  // The echo is over the target too: the ramp goes on through it (review15e M1: else it ended
  // there, and its verdict of slowness with it).
  const echo = echoing(current, timing) && (sizedNow(tick) ?? 0) < pressure + config.maxStep;
  if (echo || drainEcho(tick, current)) {
    const ramp = moment.ramp === undefined ? undefined : { ...moment.ramp, overMs: nowMs };
    return { pressure, improvedSinceMs: undefined, ramp, easing: current };
  }
  const smoothed = smooth(moment.readings, over.ratio, nowMs, timing.delayMs);
  // Per `admission.window`: a read that reaches back further (window-reach.ts) is no new load.
  const load = ((flow?.arrivals ?? reader.completions()) * windows.baseMs) / windows.windowMs;
  const trend = {
    ratio: smoothed.mean,
    noise: smoothed.noise,
    load,
    growing: flow === undefined ? undefined : growing(flow),
    overCapacity: overCapacity(moment.rate, load, windows.baseMs),
    capacity: capacitySample({
      rate: moment.rate,
      windowMs: windows.windowMs,
      finished: reader.counts(),
      shares: moment.shares,
      requests: moment.offered,
      inProcess: flow !== undefined,
      settling: draining(flow),
      inFlightMs: moment.flow === undefined ? 0 : impliedMs(moment.flow),
    }),
  };
  const next = overload(tick, rising ? frontier : undefined, over, trend, leftBand(current));
  return { ...next, readings: smoothed.readings };
}
