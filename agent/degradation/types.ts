/** The contract of degradation: the decisions it emits and the views it offers to services and APIs. */
import type { FeatureName } from '../../config/index.ts';
import type { SeriesKey } from '../budget/types.ts';
import type { Percentile } from '../window/index.ts';
import type { DegradationLevel } from './levels.ts';

/** Why the level changed (or was pinned / released). */
export const DEGRADATION_REASONS = Object.freeze([
  'escalation',
  'recovery',
  'forced-recovery',
  'manual-override',
  'override-cleared',
  'override-expired',
] as const);

/** One of {@link DEGRADATION_REASONS}. */
export type DegradationReason = (typeof DEGRADATION_REASONS)[number];

/** The verdict a decision rests on (a copy of its numbers, without the status and timestamps). */
export interface DecisionEvidence {
  readonly series: SeriesKey;
  /** The percentile the series is judged at, e.g. `p95`. */
  readonly percentile: Percentile;
  /** Observed value of that percentile, ms. */
  readonly observedMs: number;
  /** Effective budget it was compared with, ms. */
  readonly budgetMs: number;
  /** `observedMs / budgetMs`. */
  readonly ratio: number;
  /** Samples in the window the percentile came from. */
  readonly samples: number;
}

/** Feature switches a decision flipped. */
export interface DecisionActions {
  /** Features this decision newly switched off, in config order. */
  readonly disabled: readonly FeatureName[];
  /** Features this decision switched back on, in config order. */
  readonly enabled: readonly FeatureName[];
}

/** One degradation decision; frozen, safe to keep, log and serialize. */
export interface DegradationDecision {
  /** 1 for the first decision of a manager, then +1 per decision. */
  readonly seq: number;
  /** When the decision was taken, ms since the epoch. */
  readonly at: number;
  /** `service.namespace` of the service; '' when none. */
  readonly namespace: string;
  readonly service: string;
  readonly from: DegradationLevel;
  readonly to: DegradationLevel;
  readonly reason: DegradationReason;
  /** A sentence for humans with the numbers behind the decision. */
  readonly message: string;
  /** The worst verdict behind an escalation or recovery; absent for time-based and manual decisions. */
  readonly evidence?: DecisionEvidence;
  readonly actions: DecisionActions;
  /** Every feature off after the decision (cumulative over the levels up to `to`). */
  readonly disabledFeatures: readonly FeatureName[];
}

/**
 * What a service reads on its hot path: whether a feature is on at the current level. Names are
 * {@link FeatureName}s: `string`, or the configured features once `headroom types` has run.
 */
export interface FeatureFlags {
  /** false when the current level (or one below it) disables `name`; O(1). */
  enabled(name: FeatureName): boolean;
  /** Every feature off at the current level. */
  disabled(): readonly FeatureName[];
}

/** Called synchronously with each decision; a listener that throws is logged and skipped. */
export type DecisionListener = (decision: DegradationDecision) => void;

/** Options of a manual override. */
export interface OverrideOptions {
  /** Absolute expiry, ms since the epoch; checked at the next `observe()`. @default no expiry */
  readonly untilMs?: number;
}

/** A snapshot of one service's degradation, for APIs and dashboards. */
export interface DegradationState {
  /** `service.namespace` of the service; '' when none. */
  readonly namespace: string;
  readonly service: string;
  readonly level: DegradationLevel;
  /** true while a manual override suspends automatic transitions. */
  readonly overridden: boolean;
  /** When the current level was entered, ms since the epoch (the manager's creation for NONE). */
  readonly since: number;
  readonly disabledFeatures: readonly string[];
  readonly lastDecision?: DegradationDecision;
}
