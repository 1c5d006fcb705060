/** The sentences of admission decisions and rejections: one sentence each, with the numbers behind it. */
import { formatMs } from '../../config/index.ts';
import type { DegradationLevel } from '../degradation/levels.ts';
import type { Flow } from './admission-flow.ts';
import type { Criticality } from './criticality.ts';
import type { LatencyEvidence } from './types.ts';

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

/** Who the evidence measured: `CRITICAL p95`, or `CRITICAL_PLUS+CRITICAL p95` for a pool. */
function subject({ criticality, percentile, pooled }: LatencyEvidence): string {
  return `${pooled === undefined ? criticality : Object.keys(pooled).join('+')} ${percentile}`;
}

/** `312 samples in 3s`, or `27 samples in 3s: CRITICAL_PLUS 9, CRITICAL 18` for a pool. */
function samplesIn({ samples, pooled }: LatencyEvidence, windowMs: number): string {
  const each =
    pooled === undefined
      ? ''
      : `: ${Object.entries(pooled)
          .map(([c, n]) => `${c} ${n}`)
          .join(', ')}`;
  return `${samples} samples in ${formatMs(windowMs)}${each}`;
}

/**
 * @example overloadMessage('SHEDDABLE', 0.2, 0.3, evidence, 3000)
 * // 'SHEDDABLE rejection 20% -> 30%: CRITICAL p95 is 1.42x its budget (target 1x, 312 samples in 3s)'
 */
export function overloadMessage(
  criticality: Criticality,
  from: number,
  to: number,
  evidence: LatencyEvidence,
  windowMs: number,
  backlog?: Backlog,
): string {
  const { ratio, thresholdRatio } = evidence;
  const signal = `${subject(evidence)} is ${times(ratio)} its budget (target ${times(thresholdRatio)}, ${samplesIn(evidence, windowMs)})`;
  return `${change(criticality, from, to)}: ${signal}${backlog === undefined ? '' : backlogText(backlog)}`;
}

/** The flow a rise was sized from (review15c H1), and whether its backlog grows or drains too slowly. */
export interface Backlog {
  readonly flow: Flow;
  readonly grows: boolean;
}

/** @example '; the backlog grows (300 admitted, 100 finished in 1s; 200 waiting)' */
function backlogText({ flow, grows }: Backlog): string {
  const how = grows ? 'grows' : 'drains too slowly';
  return `; the backlog ${how} (${admittedIn(flow)}, ${flow.completions} finished in ${formatMs(flow.spanMs)}; ${flow.backlog} waiting)`;
}

/**
 * @example drainedMessage('CRITICAL', 0.5, 0, flow, 1)
 * // 'CRITICAL rejection 50% -> 0%: the backlog drained (270 admitted, 300 finished in 3s; 0 waiting): the share shed to drain it is released, down to pressure 1'
 */
export function drainedMessage(
  criticality: Criticality,
  from: number,
  to: number,
  flow: Flow,
  pressure: number,
): string {
  const counts = `${admittedIn(flow)}, ${flow.completions} finished in ${formatMs(flow.spanMs)}; ${flow.backlog} waiting`;
  return `${change(criticality, from, to)}: the backlog drained (${counts}): the share shed to drain it is released, down to pressure ${pressureText(pressure)}`;
}

/** How long the improvement held, over which window, and the samples a signal needs. */
interface Held {
  readonly heldMs: number;
  readonly windowMs: number;
  readonly minSamples: number;
  /** Samples per class in the window (those with any are named when no class had `minSamples`). */
  readonly counts?: Readonly<Partial<Record<Criticality, number>>>;
}

/**
 * @example recoveryMessage('SHEDDABLE', 0.3, 0.2, evidence, { heldMs: 5000, windowMs: 3000, minSamples: 20 })
 * // 'SHEDDABLE rejection 30% -> 20%: CRITICAL p95 is 0.61x its budget, under 0.75x for 5s (312 samples in 3s)'
 * @param evidence absent when no class had `minSamples` in the window, e.g.
 * 'SHEDDABLE rejection 30% -> 20%: no class had 20 samples in 3s for 5s (CRITICAL 12, SHEDDABLE 4; no shed class over its budget)'
 */
export function recoveryMessage(
  criticality: Criticality,
  from: number,
  to: number,
  evidence: LatencyEvidence | undefined,
  { heldMs, windowMs, minSamples, counts = {} }: Held,
): string {
  const head = change(criticality, from, to);
  if (evidence === undefined) {
    const some = Object.entries(counts).filter(([, n]) => (n ?? 0) > 0);
    const each =
      some.length === 0
        ? ''
        : ` (${some.map(([c, n]) => `${c} ${n}`).join(', ')}; no shed class over its budget)`;
    return `${head}: no class had ${minSamples} samples in ${formatMs(windowMs)} for ${formatMs(heldMs)}${each}`;
  }
  const { ratio, thresholdRatio } = evidence;
  return `${head}: ${subject(evidence)} is ${times(ratio)} its budget, under ${times(thresholdRatio)} for ${formatMs(heldMs)} (${samplesIn(evidence, windowMs)})`;
}

/**
 * @example ineffectiveMessage('SHEDDABLE', 0.04, 0, evidence, { stalledMs: 5000, windowMs: 3000 })
 * // 'SHEDDABLE rejection 4% -> 0%: shedding did not help, CRITICAL_PLUS p95 is still 1.05x its budget, not under 1x, 5s after rising stopped (90 samples in 3s)'
 */
export function ineffectiveMessage(
  criticality: Criticality,
  from: number,
  to: number,
  evidence: LatencyEvidence,
  { stalledMs, windowMs }: { readonly stalledMs: number; readonly windowMs: number },
): string {
  const { ratio, thresholdRatio } = evidence;
  return `${change(criticality, from, to)}: shedding did not help, ${subject(evidence)} is still ${times(ratio)} its budget, not under ${times(thresholdRatio)}, ${formatMs(stalledMs)} after rising stopped (${samplesIn(evidence, windowMs)})`;
}

/**
 * @example probeMessage('SHEDDABLE', 1, 0.9, evidence, { heldMs: 15000, windowMs: 3000, targetRatio: 1 })
 * // 'SHEDDABLE rejection 100% -> 90%: probing, CRITICAL p95 has sat between 0.75x and 1x its budget for 15s (now 0.8x, 60 samples in 3s)'
 */
export function probeMessage(
  criticality: Criticality,
  from: number,
  to: number,
  evidence: LatencyEvidence,
  {
    heldMs,
    windowMs,
    targetRatio,
  }: { readonly heldMs: number; readonly windowMs: number; readonly targetRatio: number },
): string {
  const { ratio, thresholdRatio } = evidence;
  return `${change(criticality, from, to)}: probing, ${subject(evidence)} has sat between ${times(thresholdRatio)} and ${times(targetRatio)} its budget for ${formatMs(heldMs)} (now ${times(ratio)}, ${samplesIn(evidence, windowMs)})`;
}

/**
 * `333 admitted`, or `200 admitted (100 operations)` where the healthy service finishes a
 * different number of judged operations per admitted request (over 5 % apart).
 */
function admittedIn({
  arrivals,
  expected,
}: {
  readonly arrivals: number;
  readonly expected: number;
}): string {
  const apart = Math.abs(expected - arrivals) > 0.05 * arrivals;
  return `${arrivals} admitted${apart ? ` (${expected} operations)` : ''}`;
}

/** Where a step back goes, and the waits before easing again (under the exit ratio, in the band). */
interface StepBack {
  /** Set when the backlog grew (more admitted than finished over the window): the step back's cause. */
  readonly flow?: { readonly arrivals: number; readonly completions: number; readonly expected: number };
  /** The pressure the step back sets. */
  readonly to: number;
  /** The pressure before the steps that hurt: `to` is one `maxStep` toward it, or it (or the flow's size, past it). */
  readonly backTo: number;
  /** Set when the flow's size wins over `backTo` (a backlog out of hand): the operations waiting and the drain time. */
  readonly sized?: { readonly backlog: number; readonly drainMs: number };
  readonly waitMs: number;
  readonly bandWaitMs: number;
  readonly windowMs: number;
}

/** A pressure with at most three decimals. */
function pressureText(pressure: number): string {
  return `${Number(pressure.toFixed(3))}`;
}

/**
 * Where a step back goes, naming the pressure it sets (review15f L1): `back to pressure 1`, `back
 * to pressure 0.6, on the way to 0.915`, or `to pressure 2.4, what the flow sizes to drain 208
 * waiting within 5s`.
 */
function stepBackTo({ to, backTo, sized }: StepBack): string {
  if (sized !== undefined)
    return `to pressure ${pressureText(to)}, what the flow sizes to drain ${sized.backlog} waiting within ${formatMs(sized.drainMs)}`;
  const toward = to < backTo ? `, on the way to ${pressureText(backTo)}` : '';
  return `back to pressure ${pressureText(to)}${toward}`;
}

/**
 * @example stepBackMessage('SHEDDABLE', 0.8, 0.9, evidence, { to: 0.9, backTo: 1, waitMs: 10000, bandWaitMs: 30000, windowMs: 3000 })
 * // 'SHEDDABLE rejection 80% -> 90%: easing hurt, CRITICAL p95 rose to 0.8x its budget, over 0.75x (60 samples in 3s); back to pressure 0.9, on the way to 1, easing waits 10s (30s in the band)'
 */
export function stepBackMessage(
  criticality: Criticality,
  from: number,
  to: number,
  evidence: LatencyEvidence | undefined,
  back: StepBack,
): string {
  const { flow, waitMs, bandWaitMs, windowMs } = back;
  const why =
    flow !== undefined
      ? `easing hurt, the backlog grows (${admittedIn(flow)}, ${flow.completions} finished in ${formatMs(windowMs)})`
      : evidence === undefined
        ? 'easing hurt'
        : `easing hurt, ${subject(evidence)} rose to ${times(evidence.ratio)} its budget, over ${times(evidence.thresholdRatio)} (${samplesIn(evidence, windowMs)})`;
  return `${change(criticality, from, to)}: ${why}; ${stepBackTo(back)}, easing waits ${formatMs(waitMs)} (${formatMs(bandWaitMs)} in the band)`;
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

/**
 * @example 'SHEDDABLE rejection 30% -> 20%: the cluster primary has not renewed its admission for 3s;
 * eased one step (10%) a 1s interval, down to the floors of NONE, until it speaks again'
 */
export function staleMessage(
  criticality: Criticality,
  from: number,
  to: number,
  stale: {
    readonly staleMs: number;
    readonly step: number;
    readonly intervalMs: number;
    readonly level: DegradationLevel;
  },
): string {
  const { staleMs, step, intervalMs, level } = stale;
  return `${change(criticality, from, to)}: the cluster primary has not renewed its admission for ${formatMs(staleMs)}; eased one step (${percent(step)}) a ${formatMs(intervalMs)} interval, down to the floors of ${level}, until it speaks again`;
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
