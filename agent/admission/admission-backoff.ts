/**
 * How long easing waits after a step back (review ease4 M2). A step back doubles the easing wait
 * (admission-easing.ts), up to 16 x `recovery.sustain`; the wait is `sustain` again once easing has
 * released everything (pressure 0, no step in flight).
 *
 * Nothing else ends it: neither a fall of the offered load nor a judging signal far under the exit
 * ratio. Ending the back-off once the load had fallen by a third released SHEDDABLE between the
 * waves of a recurring overload (a retry storm, a cron burst), and each next wave then paid the
 * whole onset again behind the FIFO (`npm run bench -- admission-onset`, 3x on and 0.5x off:
 * protected goodput 91.6 % held against 45.2 % released for 10 s/10 s, 71.0 against 28.8 % for
 * 10 s/30 s, 69.1 against 11.8 % for 30 s/30 s); a 2 s stall cut the finished count a collector sees
 * by two thirds and ended it too (review15d M1). Ending it at half the exit ratio ended it under a
 * steady 3x load whose protected classes run at a quarter of their budget once SHEDDABLE is shed:
 * a probe every 7-11 s for good (review15d H1). Until the onset is sized from the flow (review15c
 * H1), a load gone for good is released after the backed-off wait (at most 80 s) plus one watched
 * step per step delay.
 */
import type { Easing, EasingTiming } from './admission-easing.ts';

/** Whether easing is backed off (a step back doubled its wait): then it eases one watched step at a time. */
export function backedOff(easing: Easing, timing: EasingTiming): boolean {
  return easing.backoffMs > timing.sustainMs;
}
