/**
 * A degradation manager's state as JSON-able plain data, for checkpoints: the level and when it was
 * entered, dwell and sustain progress, the override with its reason and expiry, the decision
 * sequence and the audit log. Versioned and validated on the way back in.
 */
import { type DegradationLevel, isDegradationLevel } from './levels.ts';
import type { DegradationDecision } from './types.ts';

/** Version of {@link DegradationSnapshot}; a snapshot of another version is refused. */
const SNAPSHOT_VERSION = 1;

/** One manager's state. Times are ms since the epoch. */
export interface DegradationSnapshot {
  readonly version: number;
  readonly namespace: string;
  readonly service: string;
  readonly level: DegradationLevel;
  /** When `level` was entered. */
  readonly sinceMs: number;
  /** The last decision of any kind: baseline of `recovery.minDwell` and `recovery.maxDuration`. */
  readonly heldSinceMs: number;
  /** Since when the improvement has held (`recovery.sustain` progress); absent when it has not. */
  readonly improvedSinceMs?: number;
  /** The active manual override; absent when none. */
  readonly override?: { readonly reason: string; readonly untilMs?: number };
  /** The last decision's sequence number: the next decision is `seq + 1`. */
  readonly seq: number;
  /** The audit log, oldest first. */
  readonly decisions: readonly DegradationDecision[];
}

/** `snapshot` with the version stamped on. */
export function versioned(snapshot: Omit<DegradationSnapshot, 'version'>): DegradationSnapshot {
  return { version: SNAPSHOT_VERSION, ...snapshot };
}

const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function isDecision(value: unknown): value is DegradationDecision {
  return (
    isRecord(value) &&
    Number.isSafeInteger(value.seq) &&
    isTime(value.at) &&
    isDegradationLevel(value.from) &&
    isDegradationLevel(value.to) &&
    typeof value.message === 'string' &&
    Array.isArray(value.disabledFeatures)
  );
}

function isOverride(value: unknown): boolean {
  return (
    value === undefined ||
    (isRecord(value) &&
      typeof value.reason === 'string' &&
      (value.untilMs === undefined || isTime(value.untilMs)))
  );
}

/** `value` as a snapshot this version reads, or the reason it is not one. */
export function parseSnapshot(value: unknown): DegradationSnapshot | string {
  if (!isRecord(value)) return 'not an object';
  if (value.version !== SNAPSHOT_VERSION)
    return `version ${String(value.version)} is not ${SNAPSHOT_VERSION}`;
  if (typeof value.namespace !== 'string' || typeof value.service !== 'string') return 'no service';
  if (!isDegradationLevel(value.level)) return `unknown level ${String(value.level)}`;
  if (!isTime(value.sinceMs) || !isTime(value.heldSinceMs)) return 'times are not numbers';
  if (value.improvedSinceMs !== undefined && !isTime(value.improvedSinceMs))
    return 'improvedSinceMs is not a time';
  if (!isOverride(value.override)) return 'override is not { reason, untilMs? }';
  if (!Number.isSafeInteger(value.seq) || (value.seq as number) < 0) return 'seq is not a whole number';
  if (!Array.isArray(value.decisions) || !value.decisions.every(isDecision))
    return 'decisions are not decisions';
  return value as unknown as DegradationSnapshot;
}
