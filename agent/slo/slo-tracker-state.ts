/**
 * The durable state of an `SloTracker` as plain JSON-able data, and its validation on the way
 * back: per (SLO, service), the cumulative events and the sampled history every window (the
 * 30-day budget, every burn rate) is computed from.
 */
import type { ResolvedConfig } from '../../config/index.ts';
import { isFiniteNumber, isRecord } from '../durable-state.ts';
import type { HistoryState } from './cumulative-history.ts';

type SloConfig = ResolvedConfig['slos'][number];

/** Version of {@link SloTrackerState}; a state of another version is dropped whole. */
export const SLO_STATE_VERSION = 1;

/** The scope an SLO's history depends on: restored only into an SLO of the same scope. */
export interface SloScope {
  readonly namespace: string | null;
  readonly context: string | null;
  readonly operation: string | null;
  /** The SLO window, ms. */
  readonly windowMs: number;
}

/** One (SLO, service) of an {@link SloTrackerState}. */
export interface SloEntryState {
  readonly slo: string;
  readonly namespace: string;
  readonly service: string;
  readonly scope: SloScope;
  /** Events counted since `startMs` (what `headroom_slo_events_total` exports). */
  readonly good: number;
  readonly total: number;
  /** When the counters started from zero, ms since the epoch. */
  readonly startMs: number;
  readonly history: HistoryState;
}

/** What `SloTracker.exportState()` returns and `restoreState()` takes back. */
export interface SloTrackerState {
  readonly version: typeof SLO_STATE_VERSION;
  /** The newest observation, ms since the epoch; null before the first. */
  readonly lastMs: number | null;
  readonly entries: readonly SloEntryState[];
}

/** The scope of `slo`, as exported. */
export function scopeOf(slo: SloConfig): SloScope {
  return {
    namespace: slo.namespace ?? null,
    context: slo.context ?? null,
    operation: slo.operation ?? null,
    windowMs: slo.windowMs,
  };
}

/**
 * The configured SLO an exported entry restores into, with its checked entry; `undefined` when
 * the entry is malformed, its SLO is gone or its scope changed (its history would mislead).
 */
export function matchEntry(
  entry: unknown,
  slos: readonly SloConfig[],
): { readonly slo: SloConfig; readonly entry: SloEntryState } | undefined {
  if (!isEntry(entry)) return undefined;
  const slo = slos.find((one) => one.name === entry.slo);
  if (slo === undefined || !sameScope(scopeOf(slo), entry.scope)) return undefined;
  return { slo, entry };
}

function isEntry(value: unknown): value is SloEntryState {
  return (
    isRecord(value) &&
    typeof value.slo === 'string' &&
    typeof value.namespace === 'string' &&
    typeof value.service === 'string' &&
    isRecord(value.scope) &&
    isFiniteNumber(value.good) &&
    isFiniteNumber(value.total) &&
    value.good >= 0 &&
    value.good <= value.total &&
    isFiniteNumber(value.startMs) &&
    isRecord(value.history)
  );
}

function sameScope(a: SloScope, b: SloScope): boolean {
  return (
    a.namespace === b.namespace &&
    a.context === b.context &&
    a.operation === b.operation &&
    a.windowMs === b.windowMs
  );
}
