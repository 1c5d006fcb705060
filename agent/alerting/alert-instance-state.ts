/**
 * The durable state of alert instances as plain JSON-able data: a firing alert (with its
 * `startsAt`, so receivers see the same alert), when its episode began (escalation), and its
 * cooldown, so that a restart neither pages twice nor loses a resolution.
 */
import { isFiniteNumber, isRecord } from '../durable-state.ts';
import type { AlertRule } from './observation.ts';
import type { AlertEvent } from './types.ts';

/** Version of {@link AlertEvaluatorState}; a state of another version is dropped whole. */
export const ALERT_STATE_VERSION = 1;

/** One instance: firing, or cooling down after a resolution. */
export interface AlertInstanceState {
  /** The instance's identity (canonical labels without `severity`). */
  readonly key: string;
  /**
   * The rule as last evaluated: a restore uses the configured rule of this name, or this one when
   * the rule was removed meanwhile (so its alert still resolves).
   */
  readonly rule: AlertRule;
  /** The firing alert, as last sent; null when resolved (cooling down). */
  readonly firing: AlertEvent | null;
  /** When the firing episode began (severity changes keep it), ms since the epoch. */
  readonly episodeStartMs: number;
  /** No new firing before this time, ms since the epoch; null when no cooldown runs. */
  readonly quietUntilMs: number | null;
}

/** What `AlertEvaluator.exportState()` returns and `restoreState()` takes back. */
export interface AlertEvaluatorState {
  readonly version: typeof ALERT_STATE_VERSION;
  readonly entries: readonly AlertInstanceState[];
}

const STATUSES = new Set(['firing']);
const KINDS = new Set(['percentile', 'errorRate', 'burnRate', 'degradation']);
const SEVERITIES = new Set(['warning', 'critical', 'page', 'ticket']);

/** Whether `value` is a well-formed instance state whose rule is a rule (configured or exported). */
export function isInstanceState(value: unknown): value is AlertInstanceState {
  if (!isRecord(value) || typeof value.key !== 'string' || !isRule(value.rule)) return false;
  if (!isFiniteNumber(value.episodeStartMs)) return false;
  if (value.quietUntilMs !== null && !isFiniteNumber(value.quietUntilMs)) return false;
  return value.firing === null || isFiring(value.firing);
}

function isRule(value: unknown): value is AlertRule {
  return (
    isRecord(value) &&
    typeof value.name === 'string' &&
    KINDS.has(value.kind as string) &&
    isFiniteNumber(value.cooldownMs) &&
    (value.escalateAfterMs === undefined || isFiniteNumber(value.escalateAfterMs))
  );
}

function isFiring(value: unknown): value is AlertEvent {
  return (
    isRecord(value) &&
    STATUSES.has(value.status as string) &&
    typeof value.fingerprint === 'string' &&
    typeof value.rule === 'string' &&
    KINDS.has(value.kind as string) &&
    SEVERITIES.has(value.severity as string) &&
    isStrings(value.labels) &&
    isStrings(value.annotations) &&
    isFiniteNumber(value.startsAt) &&
    isFiniteNumber(value.value)
  );
}

function isStrings(value: unknown): boolean {
  return isRecord(value) && Object.values(value).every((item) => typeof item === 'string');
}
