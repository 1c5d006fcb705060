/**
 * One tick of the admission law: the judging classes' signal in, the next shed pressure out, with
 * the cause the decisions will carry. The anti-flap guards are the degradation manager's: minimum
 * samples before anything rises, a bounded step per tick, recovery only after a sustained
 * improvement (Google SRE "Addressing Cascading Failures": shed early, recover slowly); shedding
 * rises only when a class more important than the one it sheds needs it (admission-signal.ts) and
 * only while it helps (admission-ramp.ts).
 */
import {
  type AdmissionConfig,
  exitRatio,
  floorPressure,
  type LevelBounds,
  overloadStep,
  type Probabilities,
  round6,
} from './admission-law.ts';
import { ineffectiveMessage, overloadMessage, recoveryMessage } from './admission-messages.ts';
import { ineffectiveRatio, mustWait, type Ramp, rampMove } from './admission-ramp.ts';
import { type Frontier, frontierOf, type Signal, SignalReader, topShed } from './admission-signal.ts';
import type { ClassWindows } from './class-windows.ts';
import type { Criticality } from './criticality.ts';
import type { AdmissionEvidence, AdmissionReason } from './types.ts';

/** Why probabilities are about to change: the reason, evidence and sentence of the decisions. */
export interface Cause {
  readonly reason: AdmissionReason;
  readonly evidence?: AdmissionEvidence;
  message(criticality: Criticality, from: number, to: number): string;
}

/** What the law reads. */
interface Law {
  readonly config: AdmissionConfig;
  readonly bounds: LevelBounds;
  readonly pressure: number;
  readonly windows: ClassWindows;
}

/** Where the tick stands. */
interface Moment {
  /** Since when the improvement has held; `undefined` when it does not. */
  readonly improvedSinceMs: number | undefined;
  /** The overload episode in progress, if any (anti-windup). */
  readonly ramp: Ramp | undefined;
  readonly nowMs: number;
  /** ms since the previous tick: a step shows in the signal one window plus a tick later. */
  readonly tickMs: number;
  /** The controller's own probabilities (before floors). */
  readonly shares: Probabilities;
}

/** The next pressure; `cause` is set when it differs from the current one. */
export interface Step {
  readonly pressure: number;
  readonly improvedSinceMs: number | undefined;
  readonly ramp: Ramp | undefined;
  readonly cause?: Cause;
}

/** The pressure after one increase of `frontier`'s class judged by `worst`, with its cause. */
function rise(law: Law, frontier: Frontier, worst: Signal, ramp: Ramp, nowMs: number): Step {
  const { config, windows } = law;
  const { from, top, criticality } = frontier;
  const evidence = Object.freeze({ ...worst, thresholdRatio: config.targetRatio });
  const next = round6(Math.min(top, from + overloadStep(worst.ratio, config)));
  const message = (c: Criticality, p0: number, p1: number) =>
    overloadMessage(c, p0, p1, evidence, windows.windowMs);
  const lastRise = { atMs: nowMs, criticality };
  const cause: Cause = { reason: 'overload', evidence, message };
  return { pressure: next, improvedSinceMs: undefined, ramp: { ...ramp, lastRise }, cause };
}

/** One step down by `maxStep`, shedding having not helped since the ramp began. */
function ease(law: Law, worst: Signal, ramp: Ramp, nowMs: number): Step {
  const { config, pressure, windows } = law;
  const evidence = Object.freeze({ ...worst, thresholdRatio: ineffectiveRatio(ramp) });
  const stalledMs = nowMs - (ramp.stalledSinceMs ?? nowMs);
  const message = (c: Criticality, p0: number, p1: number) =>
    ineffectiveMessage(c, p0, p1, evidence, { stalledMs, windowMs: windows.windowMs });
  const next = round6(Math.max(0, pressure - config.maxStep));
  return {
    pressure: next,
    improvedSinceMs: undefined,
    ramp,
    cause: { reason: 'ineffective', evidence, message },
  };
}

/**
 * The law for one tick. Rising: the class the step would shed is the frontier (see
 * {@link frontierOf}); the signal judging it is the worst class more important than it (see
 * {@link SignalReader.judging}); over `targetRatio`, the ramp decides (see rampMove): the pressure
 * rises by {@link overloadStep} from the frontier's start, holds when shedding shows no effect, or
 * eases (`ineffective`). Else the signal judging the most important shed class decides easing:
 * under the exit ratio, or none at all (too few samples to justify shedding), for
 * `recovery.sustain`: the pressure falls by `maxStep` per tick (`recovery`); otherwise it holds
 * and the improvement timer restarts. With no pressure and no signal nothing moves (low traffic).
 */
export function nextPressure(law: Law, moment: Moment): Step {
  const { config, bounds, pressure, windows } = law;
  const { nowMs, ramp } = moment;
  const reader = new SignalReader(config, windows);
  const frontier = frontierOf(pressure, floorPressure(bounds), bounds, windows);
  const judge = frontier === undefined ? undefined : reader.judging(frontier.criticality);
  if (frontier !== undefined && judge !== undefined && judge.ratio > config.targetRatio) {
    const { targetRatio, recovery } = config;
    const timing = {
      nowMs,
      delayMs: windows.windowMs + moment.tickMs,
      sustainMs: recovery.sustainMs,
      targetRatio,
    };
    const { move, ramp: next } = rampMove(ramp, judge.ratio, timing);
    if (move === 'rise' && !mustWait(next, frontier.criticality, timing))
      return rise(law, frontier, judge, next, nowMs);
    if (move === 'ease' && pressure > 0) return ease(law, judge, next, nowMs);
    return { pressure, improvedSinceMs: undefined, ramp: next };
  }
  const worst = reader.judging(topShed(moment.shares));
  const exit = exitRatio(config);
  if (worst !== undefined && worst.ratio >= exit) return { pressure, improvedSinceMs: undefined, ramp };
  const improvedSinceMs = moment.improvedSinceMs ?? nowMs;
  const heldMs = nowMs - improvedSinceMs;
  if (pressure === 0 || heldMs < config.recovery.sustainMs) return { pressure, improvedSinceMs, ramp };
  const evidence = worst === undefined ? undefined : Object.freeze({ ...worst, thresholdRatio: exit });
  const message = (c: Criticality, p0: number, p1: number) =>
    recoveryMessage(c, p0, p1, evidence, {
      heldMs,
      windowMs: windows.windowMs,
      minSamples: config.minSamples,
    });
  const next = round6(Math.max(0, pressure - config.maxStep));
  const cause: Cause = { reason: 'recovery', message, ...(evidence === undefined ? {} : { evidence }) };
  return { pressure: next, improvedSinceMs, ramp, cause };
}
