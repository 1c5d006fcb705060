/** The sentences of admission decisions and rejections: one sentence each, with the numbers behind it. */
import { formatMs } from '../../config/index.ts';
import type { DegradationLevel } from '../degradation/levels.ts';
import type { Criticality } from './criticality.ts';
import type { AdmissionEvidence } from './types.ts';

/** A probability as a percentage, at most one decimal: 0.3 -> `30%`, 0.125 -> `12.5%`. */
function percent(probability: number): string {
  return `${Number((probability * 100).toFixed(1))}%`;
}

/** A ratio with at most two decimals: 1.4237 -> `1.42x`. */
function times(ratio: number): string {
  return `${Number(ratio.toFixed(2))}x`;
}

function change(criticality: Criticality, from: number, to: number): string {
  return `${criticality} rejection ${percent(from)} -> ${percent(to)}`;
}

/**
 * @example overloadMessage('SHEDDABLE', 0.2, 0.3, evidence, 3000)
 * // 'SHEDDABLE rejection 20% -> 30%: CRITICAL p95 is 1.42x its budget (target 1x, 312 samples in 3s)'
 */
export function overloadMessage(
  criticality: Criticality,
  from: number,
  to: number,
  evidence: AdmissionEvidence,
  windowMs: number,
): string {
  const { criticality: worst, percentile, ratio, thresholdRatio, samples } = evidence;
  return `${change(criticality, from, to)}: ${worst} ${percentile} is ${times(ratio)} its budget (target ${times(thresholdRatio)}, ${samples} samples in ${formatMs(windowMs)})`;
}

/** How long the improvement held, over which window, and the samples a signal needs. */
interface Held {
  readonly heldMs: number;
  readonly windowMs: number;
  readonly minSamples: number;
}

/**
 * @example recoveryMessage('SHEDDABLE', 0.3, 0.2, evidence, { heldMs: 5000, windowMs: 3000, minSamples: 20 })
 * // 'SHEDDABLE rejection 30% -> 20%: CRITICAL p95 is 0.61x its budget, under 0.75x for 5s (312 samples in 3s)'
 * @param evidence absent when no class had `minSamples` in the window
 */
export function recoveryMessage(
  criticality: Criticality,
  from: number,
  to: number,
  evidence: AdmissionEvidence | undefined,
  { heldMs, windowMs, minSamples }: Held,
): string {
  const head = change(criticality, from, to);
  if (evidence === undefined)
    return `${head}: no class had ${minSamples} samples in ${formatMs(windowMs)} for ${formatMs(heldMs)}`;
  const { criticality: worst, percentile, ratio, thresholdRatio, samples } = evidence;
  return `${head}: ${worst} ${percentile} is ${times(ratio)} its budget, under ${times(thresholdRatio)} for ${formatMs(heldMs)} (${samples} samples in ${formatMs(windowMs)})`;
}

/**
 * @example ineffectiveMessage('SHEDDABLE', 0.04, 0, evidence, { stalledMs: 5000, windowMs: 3000 })
 * // 'SHEDDABLE rejection 4% -> 0%: shedding did not help, CRITICAL_PLUS p95 is still 1.05x its budget, not under 1x, 5s after rising stopped (90 samples in 3s)'
 */
export function ineffectiveMessage(
  criticality: Criticality,
  from: number,
  to: number,
  evidence: AdmissionEvidence,
  { stalledMs, windowMs }: { readonly stalledMs: number; readonly windowMs: number },
): string {
  const { criticality: worst, percentile, ratio, thresholdRatio, samples } = evidence;
  return `${change(criticality, from, to)}: shedding did not help, ${worst} ${percentile} is still ${times(ratio)} its budget, not under ${times(thresholdRatio)}, ${formatMs(stalledMs)} after rising stopped (${samples} samples in ${formatMs(windowMs)})`;
}

/** @example 'SHEDDABLE rejection 0% -> 100%: degradation level NONE -> SEVERE (floor 100%, cap 100%)' */
export function levelMessage(
  criticality: Criticality,
  from: number,
  to: number,
  levels: { readonly from: DegradationLevel; readonly to: DegradationLevel },
  bounds: { readonly floor: number; readonly cap: number },
): string {
  return `${change(criticality, from, to)}: degradation level ${levels.from} -> ${levels.to} (floor ${percent(bounds.floor)}, cap ${percent(bounds.cap)})`;
}

/** @example 'SHEDDABLE rejection 30% -> 0%: configuration reloaded, admission disabled' */
export function reconfiguredMessage(
  criticality: Criticality,
  from: number,
  to: number,
  enabled: boolean,
  bounds: { readonly floor: number; readonly cap: number },
): string {
  const what = enabled ? `floor ${percent(bounds.floor)}, cap ${percent(bounds.cap)}` : 'admission disabled';
  return `${change(criticality, from, to)}: configuration reloaded, ${what}`;
}

/** The sentence of a rejected request (the 503 body's `message`). */
export function rejectionMessage(
  criticality: Criticality,
  probability: number,
  level: DegradationLevel | undefined,
  retryAfterMs: number,
): string {
  const why =
    level === undefined ? 'the service is over its latency budget' : `the service is degraded to ${level}`;
  return `${criticality} request rejected: ${why}, so ${percent(probability)} of ${criticality} requests are shed; retry after ${formatMs(retryAfterMs)}`;
}
