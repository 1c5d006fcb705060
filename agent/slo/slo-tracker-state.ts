/**
 * The durable state of an `SloTracker` as plain JSON-able data, and its validation on the way
 * back: per (SLO, service), the cumulative events and the sampled history every window (the
 * 30-day budget, every burn rate) is computed from.
 */
import type { ResolvedConfig } from '../../config/index.ts';
import { isFiniteNumber, isRecord } from '../durable-state.ts';
import { type ServiceId, serviceId } from '../service-id.ts';
import type { CumulativeHistory, HistoryState } from './cumulative-history.ts';

type SloConfig = ResolvedConfig['slos'][number];

/** What an `SloTracker` keeps per (SLO, service). */
export interface SloState {
  readonly slo: SloConfig;
  readonly id: ServiceId;
  readonly history: CumulativeHistory;
  /** How far back the history reaches, ms: idle longer than this, the state is dropped. */
  readonly reachMs: number;
  /** Events counted since `startMs` (cumulative, never decreasing). */
  good: number;
  total: number;
  /** The observation that created the state, ms: its counters start from zero there. */
  readonly startMs: number;
}

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

/** One state as plain data. */
export function exportEntry(state: SloState): SloEntryState {
  const { slo, id, good, total, startMs, history } = state;
  const { namespace, service } = id;
  return {
    slo: slo.name,
    namespace,
    service,
    scope: scopeOf(slo),
    good,
    total,
    startMs,
    history: history.export(),
  };
}

/**
 * The state an exported entry restores into (`create` makes it empty, for its configured SLO);
 * `undefined` when the entry is malformed, its SLO is gone, its scope or window changed (its
 * history would mislead) or its history does not fit.
 */
export function restoreEntry(
  entry: unknown,
  slos: readonly SloConfig[],
  create: (slo: SloConfig, id: ServiceId, startMs: number) => SloState,
): SloState | undefined {
  if (!isEntry(entry)) return undefined;
  const slo = slos.find((one) => one.name === entry.slo);
  if (slo === undefined || !sameScope(scopeOf(slo), entry.scope)) return undefined;
  const state = create(slo, serviceId(entry.namespace, entry.service), entry.startMs);
  if (!state.history.restore(entry.history)) return undefined;
  state.good = entry.good;
  state.total = entry.total;
  return state;
}

function scopeOf(slo: SloConfig): SloScope {
  return {
    namespace: slo.namespace ?? null,
    context: slo.context ?? null,
    operation: slo.operation ?? null,
    windowMs: slo.windowMs,
  };
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
