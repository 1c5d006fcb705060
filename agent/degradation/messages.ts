/** The human sentences of decisions: every number that drove the decision, in the units users write. */
import { formatDuration } from '../../config/index.ts';
import type { Verdict } from '../budget/types.ts';
import type { LevelRow } from './level-table.ts';
import type { DegradationLevel } from './levels.ts';
import type { DecisionEvidence } from './types.ts';

/** `1.64x`, `2x`, `0.75x`. */
function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${Number(ratio.toFixed(2))}x` : `${ratio}x`;
}

/** The numbers of a verdict, copied so a decision does not keep the verdict object alive. */
export function evidenceOf(verdict: Verdict): DecisionEvidence {
  const { series, percentile, observedMs, budgetMs, ratio, samples } = verdict;
  return Object.freeze({
    series: Object.freeze({ ...series }),
    percentile,
    observedMs,
    budgetMs,
    ratio,
    samples,
  });
}

/** `checkout/emergency` (operation/context; the service has its own field), `/phase` appended for a phase. */
export function seriesLabel(evidence: DecisionEvidence): string {
  const { operation, context, phase } = evidence.series;
  return phase === '' || phase === undefined ? `${operation}/${context}` : `${operation}/${context}/${phase}`;
}

/** `p95 of checkout/emergency 82.1ms is 1.64x its 50ms budget`. */
function describeEvidence(evidence: DecisionEvidence): string {
  const { percentile, observedMs, budgetMs, ratio } = evidence;
  return `${percentile} of ${seriesLabel(evidence)} ${formatDuration(observedMs)} is ${formatRatio(ratio)} its ${formatDuration(budgetMs)} budget`;
}

/** Escalation: the weakest worst verdict of the run, held for `ticks` ticks. */
export function escalationMessage(evidence: DecisionEvidence, ticks: number): string {
  return `${describeEvidence(evidence)} for ${ticks} ${ticks === 1 ? 'tick' : 'ticks'}`;
}

/** Recovery: the exit threshold of the level left, how long the ratio stayed under it, and the latest numbers. */
export function recoveryMessage(
  left: LevelRow,
  heldMs: number,
  evidence: DecisionEvidence | undefined,
): string {
  const latest = evidence === undefined ? 'no data this tick' : `now ${describeEvidence(evidence)}`;
  return `worst ratio stayed at or below ${formatRatio(left.exitRatio)} (exit threshold of ${left.level}, entered at ${formatRatio(left.enterRatio)}) for ${formatDuration(heldMs)}; ${latest}`;
}

/** Forced recovery: how long the level was held against `recovery.maxDuration`. */
export function forcedRecoveryMessage(left: DegradationLevel, heldMs: number, maxDurationMs: number): string {
  return `held ${left} for ${formatDuration(heldMs)} (recovery.maxDuration ${formatDuration(maxDurationMs)}); trying one level down`;
}

/** Manual override, with its expiry when it has one. */
export function overrideMessage(
  from: DegradationLevel,
  to: DegradationLevel,
  reason: string,
  untilMs?: number,
): string {
  const until = untilMs === undefined ? '' : ` until ${new Date(untilMs).toISOString()}`;
  return `manual override ${from} -> ${to}${until}: ${reason}`;
}

/** Override released by an operator. */
export function overrideClearedMessage(level: DegradationLevel, reason: string): string {
  return `override cleared at ${level}: ${reason}; automatic transitions resume`;
}

/** Override reached its `untilMs`. */
export function overrideExpiredMessage(level: DegradationLevel, untilMs: number): string {
  return `override expired at ${level} (until ${new Date(untilMs).toISOString()}); automatic transitions resume`;
}
