/**
 * The stored form of window slots (one batch per checkpoint, see window-section.ts) and how a
 * restore puts them back: per series, the newest copy of each slot still inside the window goes
 * into the series the registry keeps under the same names (created as a span would create it).
 */
import type { Agent, Series, StoredRecord } from '../../agent/index.ts';
import { type PackedSlot, unpackSlot } from './slot-codec.ts';
import type { SectionRestore } from './state-section.ts';

type WindowState = ReturnType<Series['window']['exportState']>;
type Slot = WindowState['slots'][number];

/** One checkpoint's record: the options of the windows, and per series the slots written. */
export interface WindowBatch {
  readonly version: number;
  readonly windowMs: number;
  readonly resolutionMs: number;
  readonly relativeAccuracy: number;
  /** End of the newest slot of the batch, ms since the epoch: once out of the window, the batch goes. */
  readonly endMs: number;
  readonly series: readonly {
    /** namespace, service, operation, context, phase. */
    readonly names: readonly string[];
    /** The window's newest end time when written, ms; null before any. */
    readonly lastRecordMs: number | null;
    /** Packed (see slot-codec.ts), oldest first. */
    readonly slots: readonly PackedSlot[];
  }[];
}

/** What a restore leaves for the next checkpoints. */
export interface RestoredWindows extends SectionRestore {
  /** Stored batches by key with their `endMs` (-Infinity for an unreadable one: deleted next). */
  readonly batches: Map<string, number>;
  /** The number of the next batch (after every stored one). */
  readonly nextBatch: number;
  /** Per series restored, the slots it took back (none known when it refused one). */
  readonly series: Map<Series, readonly Slot[]>;
}

/** One series' slots gathered from every batch of the same window options. */
interface Gathered {
  readonly names: readonly string[];
  readonly batch: WindowBatch;
  lastRecordMs: number;
  readonly slots: Map<number, Slot>;
}

/** Puts the stored batches' slots back into their series. Never throws. */
export function restoreWindows(
  agent: Agent,
  records: readonly StoredRecord[],
  nowMs: number,
): RestoredWindows {
  const batches = new Map<string, number>();
  const gathered = new Map<string, Gathered>();
  let nextBatch = 0;
  let dropped = 0;
  for (const record of records) {
    nextBatch = Math.max(nextBatch, (Number.parseInt(record.key, 10) || 0) + 1);
    const batch = record.value as WindowBatch;
    if (!isBatch(batch)) {
      batches.set(record.key, Number.NEGATIVE_INFINITY);
      dropped++;
      continue;
    }
    batches.set(record.key, batch.endMs);
    for (const one of batch.series) dropped += gather(gathered, batch, one);
  }
  const series = new Map<Series, readonly Slot[]>();
  let restored = 0;
  for (const group of gathered.values()) {
    const result = restoreGroup(agent, group, nowMs);
    restored += result.restored;
    dropped += result.dropped;
    if (result.series !== undefined) series.set(result.series, result.slots);
  }
  return { restored, dropped, batches, nextBatch, series };
}

/** Adds one series entry of a batch (a later batch's copy of a slot wins); returns the slots refused. */
function gather(
  gathered: Map<string, Gathered>,
  batch: WindowBatch,
  one: WindowBatch['series'][number],
): number {
  if (!Array.isArray(one?.names) || one.names.length !== 5 || !one.names.every((n) => typeof n === 'string'))
    return Array.isArray(one?.slots) ? one.slots.length : 1;
  const { version, windowMs, resolutionMs, relativeAccuracy } = batch;
  const key = JSON.stringify([one.names, version, windowMs, resolutionMs, relativeAccuracy]);
  let group = gathered.get(key);
  if (group === undefined) {
    group = { names: one.names, batch, lastRecordMs: Number.NEGATIVE_INFINITY, slots: new Map() };
    gathered.set(key, group);
  }
  if (typeof one.lastRecordMs === 'number')
    group.lastRecordMs = Math.max(group.lastRecordMs, one.lastRecordMs);
  let refused = 0;
  for (const packed of Array.isArray(one.slots) ? one.slots : []) {
    const slot = unpackSlot(packed);
    if (slot !== undefined && Number.isSafeInteger(slot.epoch)) group.slots.set(slot.epoch, slot);
    else refused++;
  }
  return refused;
}

/** Restores one series' slots still inside the window at `nowMs`, unless a cap folds the series. */
function restoreGroup(agent: Agent, group: Gathered, nowMs: number) {
  const { version, windowMs, resolutionMs, relativeAccuracy } = group.batch;
  const oldest = Math.floor(nowMs / resolutionMs) - windowMs / resolutionMs;
  const slots = [...group.slots.values()]
    .filter((slot) => slot.epoch > oldest)
    .sort((a, b) => a.epoch - b.epoch);
  // Slots out of the window are expected (a batch stays until its newest slot is): not counted.
  if (slots.length === 0) return { restored: 0, dropped: 0, series: undefined, slots };
  const [namespace, service, operation, context, phase] = group.names as string[];
  const series = agent.registry.resolve(
    service as string,
    operation as string,
    context as string,
    phase,
    namespace,
  );
  const same = [series.namespace, series.service, series.operation, series.context, series.phase];
  if (JSON.stringify(same) !== JSON.stringify(group.names))
    return { restored: 0, dropped: slots.length, series: undefined, slots };
  const newestEnd = ((slots.at(-1) as Slot).epoch + 1) * resolutionMs - 1;
  const lastRecordMs = Math.min(group.lastRecordMs, newestEnd);
  const state = { version, windowMs, resolutionMs, relativeAccuracy, cursor: 0, lastRecordMs, slots };
  const result = series.window.restoreState(state);
  // Slots the window refused are not stored as far as the next checkpoints know.
  const taken = result.dropped === 0 ? slots : [];
  return { restored: result.restored, dropped: result.dropped, series, slots: taken };
}

/** Whether a stored value has a batch's shape (each slot is checked by the window's restore). */
function isBatch(value: unknown): value is WindowBatch {
  const batch = value as Partial<WindowBatch> | null;
  return (
    typeof batch === 'object' &&
    batch !== null &&
    typeof batch.endMs === 'number' &&
    Number.isSafeInteger(batch.windowMs) &&
    Number.isSafeInteger(batch.resolutionMs) &&
    (batch.resolutionMs as number) > 0 &&
    Array.isArray(batch.series)
  );
}
