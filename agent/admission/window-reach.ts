/**
 * How far back admission reads (review15f H3). The law reads a percentile only where a group has
 * `minSamples` finished operations in the window, and what finishes is capped by the capacity, not
 * the traffic: with the defaults (20 in 3 s) a service finishing fewer than ~7 operations a second
 * in the group judging its least important class never had a percentile, however far it was
 * overloaded (a FIFO finishing 6 a second offered 18: no decision in 10 minutes, every protected
 * request over budget). While operations keep finishing, the read reaches back whole windows, up
 * to {@link MAX_REACH_WINDOWS}, until that group has `minSamples`; the law then runs on that
 * longer window, every timing it takes from the window included (a step's delay, the flow, the
 * ramp's checks, the healthy rate), as it runs for a service configured with it. `minSamples`
 * still holds: low traffic with one slow request is 1 in 20 or more, under any p95 (Google SRE's
 * minimum-request rule, as the degradation manager's). Hysteresis: the reach grows as soon as the
 * group is short, and shrinks only to the reach where it has half again `minSamples`.
 */

import { CRITICALITIES, type Criticality, criticalityRank } from './criticality.ts';

/** The farthest the read reaches back: 10 windows (30 s with the default window). */
export const MAX_REACH_WINDOWS = 10;

/** The reach shrinks to where the group has this many times `minSamples` (hysteresis). */
const SHRINK_MARGIN = 1.5;

/** Samples of `criticality` over the last `windows` windows. */
export type CountOver = (criticality: Criticality, windows: number) => number;

/**
 * The samples over `windows` windows of the group that judges `lowest` (the least important class
 * in use, which the first step sheds): the classes more important than it read together, or the
 * class itself where it has more (the law then judges the frontier by its own signal:
 * admission-signal.ts).
 */
function judgingSamples(countOver: CountOver, lowest: Criticality, windows: number): number {
  let above = 0;
  for (const criticality of CRITICALITIES)
    if (criticalityRank(criticality) > criticalityRank(lowest)) above += countOver(criticality, windows);
  return Math.max(above, countOver(lowest, windows));
}

/**
 * Whether the window alone (`alone`: samples per class in it) is short for the law: the group
 * judging one of `judged` has fewer than {@link SHRINK_MARGIN} times `minSamples` (then a ring is
 * kept, so the read can reach back).
 */
export function shortAlone(
  alone: (criticality: Criticality) => number,
  minSamples: number,
  judged: readonly Criticality[],
): boolean {
  const countOver: CountOver = (criticality) => alone(criticality);
  const margin = Math.ceil(minSamples * SHRINK_MARGIN);
  return judged.some((c) => alone(c) > 0 && judgingSamples(countOver, c, 1) < margin);
}

/**
 * The windows to read at this tick, 1 to `most`: the fewest in which the group judging each of
 * `judged` (the class the next step would shed, the most important one shed) has `minSamples`,
 * grown at once, shrunk only to where each has {@link SHRINK_MARGIN} times `minSamples`; `reach`
 * held for a class that even `most` windows leave short. A class with no sample over `most`
 * windows needs nothing.
 */
export function nextReach(
  reach: number,
  countOver: CountOver,
  minSamples: number,
  window: { readonly most: number; readonly judged: readonly Criticality[] },
): number {
  const fewest = (criticality: Criticality, samples: number) => {
    for (let windows = 1; windows <= window.most; windows++)
      if (judgingSamples(countOver, criticality, windows) >= samples) return windows;
    return reach;
  };
  const judged = window.judged.filter((c) => countOver(c, window.most) > 0);
  const needed = Math.max(1, ...judged.map((c) => fewest(c, minSamples)));
  if (needed > reach) return needed;
  const margin = Math.ceil(minSamples * SHRINK_MARGIN);
  return Math.min(reach, Math.max(needed, ...judged.map((c) => fewest(c, margin))));
}
