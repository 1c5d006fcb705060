/**
 * The admission law when the judging signal is not over the target (admission-step.ts): recovery
 * under the exit ratio, probes in the band, and the step back when easing hurt (see
 * admission-easing.ts for the rules).
 */
import { backedOff } from './admission-backoff.ts';
import {
  bandWaitMs,
  type Easing,
  type EasingEvidence,
  eased,
  easesHanded,
  inFlight,
  leftBand,
  probeDue,
  relapse,
  settled,
} from './admission-easing.ts';
import { aheadRatio, type Flow, sizedPressure } from './admission-flow.ts';
import { FILL_ORDER, round6, type SheddableCriticality } from './admission-law.ts';
import { probeMessage, recoveryMessage, stepBackMessage } from './admission-messages.ts';
import type { Ramp } from './admission-ramp.ts';
import { type Signal, topShed } from './admission-signal.ts';
import type { Cause, Step, Tick } from './admission-tick.ts';
import type { Criticality } from './criticality.ts';
import { flowEvidence } from './flow-evidence.ts';
import type { AdmissionEvidence, LatencyEvidence } from './types.ts';

/**
 * What the tick shows of easing's effect, judged by `worst`. The flow is the trusted one
 * (flow-evidence.ts trustedFlow) while the judging classes are over the target: an eased step lets in more than
 * finishes for as long as the latency (requests in flight, review15e H2: a 4 s dependency read
 * every `ineffective` step as "easing hurt" and held SHEDDABLE at 100 %); within the target the
 * latency is short and the growth is taken as it is (a lost capacity eased too far, review15e H1).
 */
function evidenceOf(tick: Tick, worst: Signal | undefined): EasingEvidence {
  const within = worst !== undefined && worst.ratio <= tick.timing.targetRatio;
  const flow = within ? tick.moment.flow : tick.flow;
  return { ratio: worst?.ratio, flow, offered: tick.moment.offered };
}

/** The pressure the flow sizes now (see admission-flow.ts sizedPressure), if the backlog is out of hand. */
export function sizedNow(tick: Tick): number | undefined {
  const { law, moment, timing, flow } = tick;
  const limits = { minSamples: law.config.minSamples, drainMs: timing.sustainMs };
  return sizedPressure(flow, moment.offered, law.bounds.caps, limits);
}

/**
 * A step back (easing hurt): one `maxStep` up toward the pressure before the steps that hurt, or at
 * once to what the flow sizes (a backlog out of hand), whichever is more.
 */
export function stepBack(tick: Tick, easing: Easing): Step | undefined {
  if (easing.back === undefined && easing.steps.length === 0) return undefined;
  const { law, moment, reader, timing } = tick;
  const worst = reader.judging(topShed(moment.shares));
  const relapsed = easing.back === undefined ? relapse(easing, evidenceOf(tick, worst), timing) : easing;
  const back = relapsed?.back;
  if (relapsed === undefined || back === undefined || law.pressure >= back.to) return undefined;
  // A backlog out of hand (the flow known: admission-flow.ts) that brings the protected classes
  // near their budget (now, or by the lead of a growing queue) is load, not only the eased steps'
  // echo: the step back goes at once to what the flow sizes, if that is more (review onset15: a
  // burst finding SHEDDABLE half released grew a 500-request backlog while the step back climbed
  // 10 % a tick). A backlog that keeps them well within budget is the eased steps' alone.
  const ahead =
    worst === undefined ? 0 : Math.max(worst.ratio, aheadRatio(worst.ratio, tick.flow, timing.windowMs));
  const sized = ahead > timing.exitRatio ? (sizedNow(tick) ?? 0) : 0;
  const stepped = round6(Math.min(back.to, law.pressure + law.config.maxStep));
  const next = Math.max(stepped, sized);
  const { backoffMs: waitMs } = relapsed;
  const after: Easing = {
    steps: [],
    backoffMs: waitMs,
    backAtMs: timing.nowMs,
    ...(next < back.to ? { back } : {}),
    ...(sized > 0 && next <= sized ? { drain: {} } : {}),
  };
  const latency =
    worst === undefined || back.flow !== undefined
      ? undefined
      : { ...worst, thresholdRatio: back.thresholdRatio };
  // The message says the pressure set (review15f L1): the flow's size when it wins, else the step toward `back.to`.
  const sizedTo =
    sized > stepped ? { backlog: tick.flow?.backlog ?? 0, drainMs: timing.sustainMs } : undefined;
  const evidence = stepBackEvidence(
    tick,
    latency,
    back.flow ?? (sizedTo === undefined ? undefined : tick.flow),
  );
  const message = (c: Criticality, p0: number, p1: number) =>
    stepBackMessage(c, p0, p1, latency, {
      ...(back.flow === undefined ? {} : { flow: back.flow }),
      to: next,
      backTo: back.to,
      ...(sizedTo === undefined ? {} : { sized: sizedTo }),
      waitMs,
      bandWaitMs: bandWaitMs(waitMs),
      windowMs: law.windows.windowMs,
    });
  const cause: Cause = { reason: 'probe', message, ...(evidence === undefined ? {} : { evidence }) };
  return { pressure: next, improvedSinceMs: undefined, ramp: moment.ramp, easing: after, cause };
}

/**
 * A step back's evidence (review15g M3): the latency that rose over the relapse ratio, and the flow
 * that drove it (the backlog grew, or the flow sized the step back); `undefined` with neither.
 */
function stepBackEvidence(
  tick: Tick,
  latency: LatencyEvidence | undefined,
  flow: Flow | undefined,
): AdmissionEvidence | undefined {
  if (flow === undefined) return latency === undefined ? undefined : Object.freeze(latency);
  return Object.freeze({ ...latency, flow: flowEvidence(flow, tick.moment, tick.law.windows.windowMs) });
}

/**
 * Whether a class's requests are counted here (`admit()` runs in this process: the flow is known),
 * so a class with none over the window is not in use. In collector mode a class shed at 100 % sends
 * no span and cannot be told from an empty one: easing walks through it.
 */
function known(tick: Tick): boolean {
  return tick.flow !== undefined;
}

/**
 * The shares of the classes under `criticality` (less important) not in use (no sample and no
 * request over the window: see ClassWindows.inUse), down to the first in use, where requests are
 * counted here: released with a step that empties `criticality` (`emptied`), as the way up passes
 * them at once (review15d L3).
 */
function unused(tick: Tick, criticality: Criticality, emptied: boolean): number {
  if (!emptied || !known(tick)) return 0;
  const { shares } = tick.moment;
  let released = 0;
  for (const c of FILL_ORDER.slice(0, FILL_ORDER.indexOf(criticality as SheddableCriticality)).reverse()) {
    if (shares[c] === 0) continue;
    if (tick.law.windows.inUse(c)) break;
    released += shares[c];
  }
  return released;
}

/**
 * One step down by `maxStep` (`recovery` under the exit ratio, `probe` in the band), never across a
 * class's edge: a step that would lower two classes stops where the most important shed class
 * reaches 0, so each step is one decision and no crumb of a class is left to follow it (review
 * ease4 L1). Watched alone when it is a probe or easing is backed off.
 */
function down(tick: Tick, worst: Signal | undefined, easing: Easing, cause: Cause): Step {
  const { law, moment, timing } = tick;
  const criticality = topShed(moment.shares);
  const share = moment.shares[criticality];
  const idle = (c: Criticality) => known(tick) && !law.windows.inUse(c);
  // Never under the class's floor (see hidden): the part above it is what a step can show.
  const above = share - law.bounds.floors[criticality];
  const size = share > 0 && !idle(criticality) ? Math.min(law.config.maxStep, above) : Math.max(share, 0);
  const released = size > 0 ? size + unused(tick, criticality, size === share) : law.config.maxStep;
  const next = round6(Math.max(0, law.pressure - released));
  // Shedding raised for lost capacity (capacity-check.ts) is eased watched: the overload comes back
  // as soon as the admissions cross the capacity left, and only a watched step is stepped back.
  const check = moment.ramp?.capacity;
  const lost = check !== undefined && check.verdict !== 'kept';
  const watched =
    cause.reason === 'probe' || backedOff(easing, timing) || lost || easesHanded(easing, law.pressure);
  const taken = { from: law.pressure, to: next, criticality, ratio: worst?.ratio, watched };
  const after = eased(easing, taken, timing);
  return { pressure: next, improvedSinceMs: moment.improvedSinceMs, ramp: moment.ramp, easing: after, cause };
}

/**
 * Whether the most important shed class's own share is all under its level floor (review15g H2): a
 * step down would change nothing in force, so nothing admitted could show whether it was safe.
 * Easing holds there; when the level drops, the floor's share is the pressure's (handedOver), and
 * easing it is watched.
 */
function hidden(tick: Tick): boolean {
  const { shares } = tick.moment;
  const criticality = topShed(shares);
  return shares[criticality] > 0 && shares[criticality] <= tick.law.bounds.floors[criticality];
}

/**
 * Not over the target: the signal judging the most important shed class decides. Under the exit
 * ratio, or none at all (too few samples) while no shed class is over the target on its own
 * (unknown is not health: review15b N1), for the easing wait (`recovery.sustain`, longer after a
 * step back, back to `sustain` once everything is released): the pressure falls by
 * `maxStep` per tick (`recovery`), or while backed off one step per step delay. Between the exit
 * ratio and the target it holds; a hold lasting three easing waits probes one step down
 * (`probe`). Over the target (every class at its cap, or the judging classes differ) it holds.
 */
export function recovery(tick: Tick, easing: Easing): Step {
  const { law, moment, reader, timing } = tick;
  const { pressure, config, windows } = law;
  const { nowMs } = timing;
  const ramp = moment.ramp?.wait === undefined ? moment.ramp : withoutWait(moment.ramp);
  const worst = reader.judging(topShed(moment.shares));
  const hold = (e: Easing | undefined, improvedSinceMs?: number): Step => ({
    pressure,
    improvedSinceMs,
    ramp,
    easing: e,
  });
  if (worst === undefined && reader.shedOverTarget(moment.shares)) return hold(leftBand(easing));
  if (worst !== undefined && worst.ratio > timing.targetRatio) return hold(leftBand(easing));
  if (worst !== undefined && worst.ratio >= timing.exitRatio) {
    const probe = probeDue(easing, timing);
    if (!probe.due || pressure === 0 || hidden(tick))
      return hold(pressure === 0 ? settled(probe.easing, timing) : probe.easing);
    const evidence = Object.freeze({ ...worst, thresholdRatio: timing.exitRatio });
    const heldMs = nowMs - (probe.easing.bandSinceMs ?? nowMs);
    const message = (c: Criticality, p0: number, p1: number) =>
      probeMessage(c, p0, p1, evidence, {
        heldMs,
        windowMs: windows.windowMs,
        targetRatio: config.targetRatio,
      });
    return down({ ...tick, moment: { ...moment, improvedSinceMs: undefined, ramp } }, worst, probe.easing, {
      reason: 'probe',
      evidence,
      message,
    });
  }
  const improvedSinceMs = moment.improvedSinceMs ?? nowMs;
  const heldMs = nowMs - improvedSinceMs;
  const outside = leftBand(easing);
  if (pressure === 0) return hold(settled(outside, timing), improvedSinceMs);
  if (heldMs < outside.backoffMs || hidden(tick)) return hold(outside, improvedSinceMs);
  if (backedOff(outside, timing) && inFlight(outside, timing)) return hold(outside, improvedSinceMs);
  const evidence =
    worst === undefined ? undefined : Object.freeze({ ...worst, thresholdRatio: timing.exitRatio });
  const counts = reader.counts();
  const message = (c: Criticality, p0: number, p1: number) =>
    recoveryMessage(c, p0, p1, evidence, {
      heldMs,
      windowMs: windows.windowMs,
      minSamples: config.minSamples,
      counts,
    });
  const cause: Cause = { reason: 'recovery', message, ...(evidence === undefined ? {} : { evidence }) };
  return down({ ...tick, moment: { ...moment, improvedSinceMs, ramp } }, worst, outside, cause);
}

function withoutWait(ramp: Ramp): Ramp {
  const { wait: _cleared, ...rest } = ramp;
  return rest;
}
