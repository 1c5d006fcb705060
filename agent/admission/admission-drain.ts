/**
 * The release of a drained backlog's share (review onset15): where the flow sized a rise (or a step
 * back) with a share to drain a backlog (admission-flow.ts sizedPressure), that share goes at once
 * when the backlog is gone, instead of waiting for `recovery.sustain` (Little's law: once nothing
 * waits, the protected requests no longer do either).
 */
import { type Easing, eased } from './admission-easing.ts';
import { drained, draining, FLOW_MARGIN, type Flow, growing, steadyPressure } from './admission-flow.ts';
import { FILL_ORDER, floorPressure, round6 } from './admission-law.ts';
import { drainedMessage } from './admission-messages.ts';
import type { Cause, Step, Tick } from './admission-tick.ts';
import type { Criticality } from './criticality.ts';
import { flowEvidence } from './flow-evidence.ts';

/**
 * The backlog a sized rise drained is gone (review onset15): the share shed to drain it goes at
 * once, down to what keeps the admissions under the most operations a window finished while the
 * backlog was there (steadyPressure: sizedPressure without the drain), instead of waiting for
 * `recovery.sustain` with protected requests rejected for no backlog (a 3x burst's CRITICAL share,
 * 50 %, was held for 4-12 s after its backlog was gone). One easing step per class released,
 * unwatched: only a backlog growing again takes them back (admission-easing.ts relapse).
 * `undefined` when nothing is to release.
 */
export function release(tick: Tick, easing: Easing): Step | undefined {
  const { law, moment, timing, flow } = tick;
  const { drain } = easing;
  if (drain === undefined || drain.releasedAtMs !== undefined || !drained(flow)) return undefined;
  if (flow === undefined || moment.offered === undefined) return undefined;
  // Once the backlog is gone the service finishes what it is let in, no longer its capacity: the
  // steady share is sized on the completions of the last window that still had a backlog.
  const busy = { ...flow, completions: Math.max(flow.completions, drain.capacity ?? 0) };
  const steady = steadyPressure(busy, moment.offered, law.bounds.caps, law.config.minSamples);
  const to = round6(Math.max(steady ?? law.pressure, floorPressure(law.bounds)));
  if (to >= law.pressure) return undefined;
  let after = easing;
  let from = law.pressure;
  let admits = 0;
  for (const criticality of [...FILL_ORDER].reverse()) {
    const share = moment.shares[criticality];
    if (share === 0 || from <= to) continue;
    const next = round6(Math.max(to, from - share));
    after = eased(after, { from, to: next, criticality, ratio: undefined, watched: false }, timing);
    admits += (from - next) * moment.offered[criticality];
    from = next;
  }
  // A release that lets in no more than the flow's margin is the steady share's noise: easing's.
  if (admits < flow.completions * FLOW_MARGIN) return undefined;
  const released = { ...after, drain: { ...drain, releasedAtMs: timing.nowMs } };
  const message = (c: Criticality, p0: number, p1: number) => drainedMessage(c, p0, p1, flow, to);
  const evidence = Object.freeze({ flow: flowEvidence(flow, moment, law.windows.windowMs) });
  const cause: Cause = { reason: 'drained', evidence, message };
  return {
    pressure: to,
    improvedSinceMs: moment.improvedSinceMs,
    ramp: moment.ramp,
    easing: released,
    cause,
  };
}

/**
 * The easing with the most operations a window finished while the backlog was there (admissions
 * 5 % over or under completions: the service busy, finishing what it can) kept as the drain's
 * `capacity`.
 */
export function busyDrain(easing: Easing, flow: Flow | undefined): Easing {
  const { drain } = easing;
  if (drain === undefined || drain.releasedAtMs !== undefined || flow === undefined) return easing;
  if (!growing(flow) && !draining(flow)) return easing;
  return { ...easing, drain: { capacity: Math.max(flow.completions, drain.capacity ?? 0) } };
}

/** Whether the window still shows the requests that waited in a backlog released a step delay ago or less. */
export function drainEcho(tick: Tick, easing: Easing): boolean {
  const releasedAtMs = easing.drain?.releasedAtMs;
  const { nowMs, delayMs } = tick.timing;
  return releasedAtMs !== undefined && nowMs - releasedAtMs < delayMs && !growing(tick.flow);
}
