/**
 * Easing the shed pressure without bringing the overload back (review15b N2, N13). Every easing
 * step is watched for one `admission.window` plus a tick (the time it needs to show): if the
 * judging ratio comes back to the exit ratio or above, and above where it was when easing began by
 * the effect margin, the steps that could have caused it are taken back, one `maxStep` per tick
 * (reason `probe`), and the next easing waits twice as long (`recovery.sustain` doubled per step
 * back, up to 16 x): a backlog that easing rebuilds (a real queue) is not left to grow into the
 * next overload and a limit cycle. A hold in the band between the exit ratio and the target that
 * lasts three times that wait probes: one step down (reason `probe`), watched the same way, then
 * the next one a step delay later while the ratio does not rise; shedding that is no longer needed
 * (the load went, a protected class sits at 0.8x for its own reasons) thus ends instead of holding
 * forever. The gradient limiters' idea (Netflix concurrency-limits: keep a change only while its
 * measured effect is good), applied on the way down.
 */

import { type Flow, growing } from './admission-flow.ts';

/** A ratio that rises by this fraction (5 %) over the episode's start after easing is easing's effect. */
const RISE_MARGIN = 0.05;

/** A hold in the band probes after this many easing waits (3 x `recovery.sustain` at first). */
const PROBE_HOLDS = 3;

/** The easing wait grows to at most this many `recovery.sustain`s. */
const MAX_BACKOFF = 16;

/** One easing step: when, the pressure before it, and whether it was a probe (in the band). */
interface EaseStep {
  readonly atMs: number;
  readonly from: number;
  readonly probe: boolean;
}

/** The easing in progress. Times are ms since the epoch; plain data. */
export interface Easing {
  /** The judging ratio when the watched steps began; absent when there was no signal. */
  readonly startRatio?: number;
  /** Easing steps younger than the step delay (not shown in the window yet), oldest first. */
  readonly steps: readonly EaseStep[];
  /** How long the signal must hold under the exit ratio before easing: `sustain`, doubled per step back. */
  readonly backoffMs: number;
  /**
   * A step back in progress: the pressure it climbs to, one `maxStep` per tick, and why: the ratio
   * easing broke, or the flow that showed the backlog growing.
   */
  readonly back?: { readonly to: number; readonly thresholdRatio: number; readonly flow?: Flow };
  /** Since when the signal has sat between the exit ratio and the target with pressure held. */
  readonly bandSinceMs?: number;
  /** The last step back: the window shows the eased steps until a step delay after it. */
  readonly backAtMs?: number;
}

/** The clock and thresholds of one tick. */
export interface EasingTiming {
  readonly nowMs: number;
  /** `admission.window` plus a tick: how long a step takes to show. */
  readonly delayMs: number;
  readonly sustainMs: number;
  /** The exit ratio `targetRatio x (1 - recovery.improvement)`. */
  readonly exitRatio: number;
}

/** No easing in progress: the wait is `sustain`. */
export function idleEasing(sustainMs: number): Easing {
  return { steps: [], backoffMs: sustainMs };
}

/** The steps not shown yet at `nowMs`. */
function recent(easing: Easing, { nowMs, delayMs }: EasingTiming): readonly EaseStep[] {
  return easing.steps.filter((step) => nowMs - step.atMs < delayMs);
}

/**
 * The ratio over which easing has hurt: the exit ratio, or the ratio when the watched steps began
 * plus the margin, whichever is higher.
 */
function relapseRatio(easing: Easing, { exitRatio }: EasingTiming): number {
  const start = easing.startRatio;
  return Math.round(Math.max(exitRatio, start === undefined ? 0 : start * (1 + RISE_MARGIN)) * 1e6) / 1e6;
}

/**
 * Whether recent easing hurt: `timing.growing` (more requests admitted than finish since: a
 * backlog builds before the latency shows it; see admission-flow.ts), or, after a probe, `ratio`
 * (the signal judging the most important shed class) over {@link relapseRatio}. A rise of the
 * signal after an ordinary recovery step is not taken for its effect: a disturbance that comes
 * back every few seconds (a cron job, GC) would otherwise step shedding back up and double the
 * wait each time, winding the pressure up burst by burst. If it hurt, the easing with its step
 * back set (to the pressure before the oldest step not yet shown) and its wait doubled.
 */
export function relapse(
  easing: Easing,
  ratio: number | undefined,
  timing: EasingTiming & { readonly flow: Flow | undefined },
): Easing | undefined {
  const steps = recent(easing, timing);
  const [oldest] = steps;
  const thresholdRatio = relapseRatio(easing, timing);
  const probed = steps.some((step) => step.probe);
  const { flow } = timing;
  const backlog = growing(flow);
  const hurt = backlog || (probed && ratio !== undefined && ratio > thresholdRatio);
  if (oldest === undefined || !hurt) return undefined;
  const backoffMs = Math.min(easing.backoffMs * 2, timing.sustainMs * MAX_BACKOFF);
  const back = { to: oldest.from, thresholdRatio, ...(backlog && flow !== undefined ? { flow } : {}) };
  return { steps: [], backoffMs, back };
}

/** The easing after one step down from `pressure` at a signal `ratio` (a `probe` in the band, or recovery). */
export function eased(
  easing: Easing,
  step: { readonly pressure: number; readonly ratio: number | undefined; readonly probe: boolean },
  timing: EasingTiming,
): Easing {
  const { pressure, ratio, probe } = step;
  const steps = recent(easing, timing);
  const startRatio = steps.length === 0 ? ratio : easing.startRatio;
  const { bandSinceMs, backoffMs } = easing;
  return {
    ...(startRatio === undefined ? {} : { startRatio }),
    steps: [...steps, { atMs: timing.nowMs, from: pressure, probe }],
    backoffMs,
    ...(bandSinceMs === undefined ? {} : { bandSinceMs }),
  };
}

/** How long a hold in the band lasts before it probes, for an easing wait of `backoffMs`. */
export function bandWaitMs(backoffMs: number): number {
  return PROBE_HOLDS * backoffMs;
}

/**
 * Whether a hold in the band probes now: the band has held for {@link PROBE_HOLDS} easing waits
 * and the last step has shown. Returns the easing with the band's start recorded.
 */
export function probeDue(
  easing: Easing,
  timing: EasingTiming,
): { readonly due: boolean; readonly easing: Easing } {
  const bandSinceMs = easing.bandSinceMs ?? timing.nowMs;
  const next = { ...easing, bandSinceMs };
  const held = timing.nowMs - bandSinceMs >= bandWaitMs(easing.backoffMs);
  return { due: held && recent(easing, timing).length === 0, easing: next };
}

/**
 * Whether a step back is younger than the step delay: the window still holds requests admitted
 * under the eased steps, so an overload it shows is their echo, not a reason to rise further.
 */
export function echoing(easing: Easing, { nowMs, delayMs }: EasingTiming): boolean {
  return easing.backAtMs !== undefined && nowMs - easing.backAtMs < delayMs;
}

/** The easing to keep at pressure 0: none once no step is left to watch (the wait is forgotten). */
export function settled(easing: Easing, timing: EasingTiming): Easing | undefined {
  return easing.back === undefined && recent(easing, timing).length === 0 ? undefined : easing;
}

/** The easing outside the band (the band's hold ends). */
export function leftBand(easing: Easing): Easing {
  const { bandSinceMs: _left, ...rest } = easing;
  return rest;
}
