/**
 * How long easing waits after a step back, and when that back-off ends (review ease4 M2). A step
 * back doubles the easing wait (admission-easing.ts); the back-off holds only while what caused it
 * holds: it ends, the wait being `recovery.sustain` again, when the load falls by a third from the
 * step back (the requests offered to `admit()` here, admitted plus rejected; in collector mode the
 * operations finished of the classes nothing sheds), or when the signal judging the most important
 * shed class sits at half the exit ratio or lower. A load that is gone is thus released within
 * `sustain` plus one step per tick, where the doubled wait (up to 80 s) held it before.
 */
import type { Easing, EasingEvidence, EasingTiming } from './admission-easing.ts';
import type { Criticality } from './criticality.ts';

/** A load (see {@link EasingEvidence.load}) that falls by this fraction (a third) since the step back ends the back-off. */
const LOAD_FALL = 1 / 3;

/** A judging ratio at or under this fraction (half) of the exit ratio ends the back-off. */
const FAR_UNDER = 0.5;

/** Requests (or operations) per class over the window; a class whose load is unknown is absent. */
export type ClassLoad = Readonly<Partial<Record<Criticality, number>>>;

/** Whether easing is backed off (a step back doubled its wait): then it eases one watched step at a time. */
export function backedOff(easing: Easing, timing: EasingTiming): boolean {
  return easing.backoffMs > timing.sustainMs;
}

/** Whether the load of the classes known both `then` and `now` fell by {@link LOAD_FALL}. */
function fell(then: ClassLoad, now: ClassLoad): boolean {
  let [before, after] = [0, 0];
  for (const [c, n] of Object.entries(then)) {
    const current = now[c as Criticality];
    if (current === undefined) continue;
    before += n;
    after += current;
  }
  return before > 0 && after <= before * (1 - LOAD_FALL);
}

/**
 * The easing with its back-off ended when what caused it is gone (review ease4 M2): the load over
 * the window fell by a third since the step back, or the judging `ratio` is at half the exit ratio
 * or lower. The wait is `sustain` again.
 */
export function relieved(easing: Easing, evidence: EasingEvidence, timing: EasingTiming): Easing {
  if (!backedOff(easing, timing)) return easing;
  const { ratio } = evidence;
  const { loadAtBack, ...rest } = easing;
  const lighter = loadAtBack !== undefined && evidence.load !== undefined && fell(loadAtBack, evidence.load);
  const far = ratio !== undefined && ratio <= timing.exitRatio * FAR_UNDER;
  return lighter || far ? { ...rest, backoffMs: timing.sustainMs } : easing;
}
