/**
 * How long easing waits after a step back, and when that back-off ends (review ease4 M2). A step
 * back doubles the easing wait (admission-easing.ts), up to 16 x `recovery.sustain`; the back-off
 * ends, the wait being `sustain` again, when the signal judging the most important shed class sits
 * at half the exit ratio or lower: nothing is left that shedding protects.
 *
 * A fall of the offered load does not end it. Ending the back-off once the load had fallen by a
 * third released SHEDDABLE between the waves of a recurring overload (a retry storm, a cron burst),
 * and each next wave then paid the whole onset again behind the FIFO (`npm run bench --
 * admission-onset`, 3x on and 0.5x off: protected goodput 91.6 % held against 45.2 % released for
 * 10 s/10 s, 71.0 against 28.8 % for 10 s/30 s, 69.1 against 11.8 % for 30 s/30 s). Until the
 * onset is sized from the flow (review15c H1), a load that is gone for good is released after the
 * backed-off wait (at most 80 s) plus one step per tick.
 */
import type { Easing, EasingEvidence, EasingTiming } from './admission-easing.ts';

/** A judging ratio at or under this fraction (half) of the exit ratio ends the back-off. */
const FAR_UNDER = 0.5;

/** Whether easing is backed off (a step back doubled its wait): then it eases one watched step at a time. */
export function backedOff(easing: Easing, timing: EasingTiming): boolean {
  return easing.backoffMs > timing.sustainMs;
}

/**
 * The easing with its back-off ended when nothing is left that shedding protects: the judging
 * `ratio` is at half the exit ratio or lower. The wait is `sustain` again.
 */
export function relieved(easing: Easing, evidence: EasingEvidence, timing: EasingTiming): Easing {
  if (!backedOff(easing, timing)) return easing;
  const { ratio } = evidence;
  const far = ratio !== undefined && ratio <= timing.exitRatio * FAR_UNDER;
  return far ? { ...easing, backoffMs: timing.sustainMs } : easing;
}
