/**
 * Easing the shed pressure without bringing the overload back (review15b N2, N13). Every easing
 * step is watched for one `admission.window` plus a tick (the time it needs to show). Easing hurt
 * when, with steps in flight, more requests are admitted than finish (the backlog grows again:
 * admission-flow.ts), or, after a watched step, the judging ratio comes back over the exit ratio
 * and over where it was when the steps began by the effect margin. Then only the steps the
 * evidence implicates are taken back (review ease4 M1), one `maxStep` per tick (reason `probe`):
 * with the flow known, the newest steps whose added admissions account for the surplus of
 * admissions over completions; else the steps taken since the last tick whose signal showed no
 * harm (a step in force during a calm reading showed fine and stays eased). The next easing waits
 * twice as long (`recovery.sustain` doubled per step back, up to 16 x) and, while it is backed
 * off, eases one watched step at a time (the next once the last has shown): a service that needs
 * its shedding is probed ever more rarely, one step and one step back per probe (review ease4
 * L1). The back-off lasts until everything is released (admission-backoff.ts). A hold in the
 * band between the exit ratio and the target that lasts three easing waits probes: one step down
 * (reason `probe`), watched the same way, then the next one a step delay later while the ratio
 * does not rise; shedding that is no longer needed (the load went, a protected class sits at 0.8x
 * for its own reasons) thus ends instead of holding
 * forever. The gradient limiters' idea (Netflix concurrency-limits: keep a change only while its
 * measured effect is good), applied on the way down.
 */

import { type Flow, growing } from './admission-flow.ts';
import type { SheddableCriticality } from './admission-law.ts';
import type { OfferedLoad } from './class-requests.ts';

/** A ratio that rises by this fraction (5 %) over the episode's start after easing is easing's effect. */
const RISE_MARGIN = 0.05;

/** A hold in the band probes after this many easing waits (3 x `recovery.sustain` at first). */
const PROBE_HOLDS = 3;

/** The easing wait grows to at most this many `recovery.sustain`s. */
const MAX_BACKOFF = 16;

/** One easing step: when, the pressure before and after it, the class it eased, and whether it is watched alone. */
export interface EaseStep {
  readonly atMs: number;
  readonly from: number;
  readonly to: number;
  /** The class whose probability it lowered (the most important shed class then). */
  readonly criticality: SheddableCriticality;
  /** A probe in the band, or a step while backed off: a rise over the exit ratio is its effect. */
  readonly watched: boolean;
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
  /** The last tick that showed no harm with steps in flight: the steps before it showed fine. */
  readonly calmAtMs?: number;
  /**
   * The last rise or step back was sized from the flow with a share to drain a backlog
   * (admission-flow.ts sizedPressure): that share goes at once when the backlog is gone
   * (`releasedAtMs`: when it went; for a step delay after, the window still shows the requests that
   * waited), down to what keeps the admissions under `capacity` (the most operations a window
   * finished while the backlog was there). Cleared by a rise the latency sized alone.
   */
  readonly drain?: { readonly releasedAtMs?: number; readonly capacity?: number };
  /**
   * The pressure a level's floors held when the level dropped (review15g H2): that share was in
   * force but never eased by the law, so each step down at or under it is watched (stepped back
   * when it hurts) instead of lifted with the floor. Cleared once everything is released.
   */
  readonly handed?: number;
}

/** The clock and thresholds of one tick. */
export interface EasingTiming {
  readonly nowMs: number;
  /** `admission.window` plus a tick: how long a step takes to show. */
  readonly delayMs: number;
  /** `admission.window`, ms. */
  readonly windowMs: number;
  readonly sustainMs: number;
  /** `admission.targetRatio`. */
  readonly targetRatio: number;
  /** The exit ratio `targetRatio x (1 - recovery.improvement)`. */
  readonly exitRatio: number;
}

/** What a tick shows of easing's effect. */
export interface EasingEvidence {
  /** The signal judging the most important shed class; `undefined` under `minSamples`. */
  readonly ratio: number | undefined;
  /** Admissions against completions over the window; `undefined` in collector mode. */
  readonly flow: Flow | undefined;
  /** Requests offered over the window per class; `undefined` in collector mode. */
  readonly offered: OfferedLoad | undefined;
}

/** No easing in progress: the wait is `sustain`. */
export function idleEasing(sustainMs: number): Easing {
  return { steps: [], backoffMs: sustainMs };
}

/** Whether `easing` holds nothing beyond {@link idleEasing} (a checkpoint need not keep it). */
export function isIdle(easing: Easing, sustainMs: number): boolean {
  return Object.keys(easing).length === 2 && easing.steps.length === 0 && easing.backoffMs === sustainMs;
}

/** The steps not shown yet at `nowMs`. */
function recent(easing: Easing, { nowMs, delayMs }: EasingTiming): readonly EaseStep[] {
  return easing.steps.filter((step) => nowMs - step.atMs < delayMs);
}

/**
 * The ratio over which a watched step has hurt: the exit ratio, or the ratio when the watched steps
 * began plus the margin, whichever is higher. A rise of the signal after an ordinary recovery step
 * is not taken for its effect: a disturbance that comes back every few seconds (a cron job, GC,
 * bursts of 3 s every 12 s) would otherwise step shedding back and double the wait at every burst,
 * winding the pressure up burst by burst (tried for review ease4 M1: the 3 s / 9 s bursts of
 * oscillation.test.ts then end at 0.8 instead of 0).
 */
function relapseRatio(easing: Easing, { exitRatio }: EasingTiming): number {
  const start = easing.startRatio;
  return Math.round(Math.max(exitRatio, start === undefined ? 0 : start * (1 + RISE_MARGIN)) * 1e6) / 1e6;
}

/**
 * The oldest step the backlog implicates: newest first, the steps whose added admissions (the
 * probability they took off times the class's offered requests, for the part of the window they
 * were in force, in finished operations by the class's ratio) account for the surplus of the
 * admissions (in those operations) over the completions; the others stay eased.
 */
function implicatedByFlow(
  steps: readonly EaseStep[],
  flow: Flow,
  offered: OfferedLoad,
  { nowMs, windowMs }: EasingTiming,
): EaseStep {
  const surplus = Math.round((flow.expected - flow.completions) * 1e6);
  let added = 0;
  for (let i = steps.length - 1; i > 0; i--) {
    const step = steps[i]!;
    const inForce = Math.min(1, (nowMs - step.atMs) / windowMs);
    added += (step.from - step.to) * offered[step.criticality] * flow.scales[step.criticality] * inForce;
    if (Math.round(added * 1e6) >= surplus) return step;
  }
  return steps[0]!;
}

/** The oldest step the signal implicates: the first taken at or after the last calm tick, or the newest. */
function implicatedByCalm(steps: readonly EaseStep[], calmAtMs: number | undefined): EaseStep {
  const since = steps.find((step) => calmAtMs === undefined || step.atMs >= calmAtMs);
  return since ?? steps.at(-1)!;
}

/**
 * Whether recent easing hurt (see the file's comment): if so, the easing with its step back set
 * (to the pressure before the oldest implicated step) and its wait doubled.
 */
export function relapse(easing: Easing, evidence: EasingEvidence, timing: EasingTiming): Easing | undefined {
  const steps = recent(easing, timing);
  if (steps.length === 0) return undefined;
  const { ratio, flow, offered } = evidence;
  const thresholdRatio = relapseRatio(easing, timing);
  const backlog = growing(flow) && flow !== undefined;
  const watched = steps.some((step) => step.watched);
  if (!backlog && (!watched || ratio === undefined || ratio <= thresholdRatio)) return undefined;
  const oldest =
    backlog && offered !== undefined
      ? implicatedByFlow(steps, flow, offered, timing)
      : implicatedByCalm(steps, easing.calmAtMs);
  const backoffMs = Math.min(easing.backoffMs * 2, timing.sustainMs * MAX_BACKOFF);
  const back = { to: oldest.from, thresholdRatio, ...(backlog ? { flow } : {}) };
  return { steps: [], backoffMs, back };
}

/**
 * The easing after an `ineffective` step that hurt (review15e M1: the backlog it let grow made the
 * ramp rise again): the wait doubled as after a step back, up to {@link MAX_BACKOFF} x `sustain`.
 */
export function backedOffAgain(easing: Easing, timing: EasingTiming): Easing {
  return { ...easing, backoffMs: Math.min(easing.backoffMs * 2, timing.sustainMs * MAX_BACKOFF) };
}

/** The easing after a tick that showed no harm: the steps in flight so far showed fine. */
export function calm(easing: Easing, timing: EasingTiming): Easing {
  return recent(easing, timing).length === 0 ? easing : { ...easing, calmAtMs: timing.nowMs };
}

/** The easing after one step down (`watched`: a probe in the band, or a step while backed off). */
export function eased(
  easing: Easing,
  step: Omit<EaseStep, 'atMs'> & { readonly ratio: number | undefined },
  timing: EasingTiming,
): Easing {
  const { ratio, ...taken } = step;
  const steps = recent(easing, timing);
  const startRatio = steps.length === 0 ? ratio : easing.startRatio;
  const { startRatio: _last, ...rest } = easing;
  return {
    ...rest,
    ...(startRatio === undefined ? {} : { startRatio }),
    steps: [...steps, { atMs: timing.nowMs, ...taken }],
  };
}

/** Whether a step is still in flight (not shown yet). */
export function inFlight(easing: Easing, timing: EasingTiming): boolean {
  return recent(easing, timing).length > 0;
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

/**
 * The easing after a level's floors went (review15g H2): the pressure now holds their share,
 * `handed`, and eases it like its own, watched.
 */
export function handedOver(easing: Easing | undefined, handed: number, sustainMs: number): Easing {
  const base = easing ?? idleEasing(sustainMs);
  return { ...base, handed: Math.max(handed, base.handed ?? 0) };
}

/** Whether a step down from `pressure` eases a share a level's floors handed over (watched). */
export function easesHanded(easing: Easing, pressure: number): boolean {
  return easing.handed !== undefined && pressure <= easing.handed;
}

/** The easing outside the band (the band's hold ends). */
export function leftBand(easing: Easing): Easing {
  const { bandSinceMs: _left, ...rest } = easing;
  return rest;
}
