/**
 * The sliding windows in the store, incrementally: one record per (series, slot epoch), kind
 * `window`, written when the slot has closed (the slot still filling waits for the next checkpoint;
 * the final one at shutdown writes it too) and rewritten only if it changed after (a late
 * sample). Per series, a cursor says which changes were written; slots older than the window are
 * deleted, and so is every slot of a series the agent forgot. A warm restart therefore judges the
 * last window as before, less the samples since the last checkpoint.
 */
import type { Agent, Series, StoredRecord } from '../../agent/index.ts';
import type { CheckpointMoment, SectionChanges, SectionRestore, StateSection } from './state-section.ts';

const WINDOW = 'window';

/** What was written of one series' window. */
interface Written {
  readonly window: Series['window'];
  /** The export cursor the next checkpoint starts from. */
  cursor: number;
  /**
   * Slot epochs stored, with the slot's sample count: a slot only grows (or is cleared for a newer
   * epoch), so an equal count means the stored slot is the same.
   */
  readonly epochs: Map<number, number>;
}

type SlotValue = ReturnType<Series['window']['exportState']>['slots'][number];

/** One record's value: the slot, with the window's options (a restore checks them) and newest end time. */
interface StoredSlot {
  readonly version: number;
  readonly windowMs: number;
  readonly resolutionMs: number;
  readonly relativeAccuracy: number;
  readonly lastRecordMs: number | null;
  readonly slot: SlotValue;
}

export function windowSection(agent: Agent): StateSection {
  let written = new Map<string, Written>();
  /** Stored records no series took back: deleted by the next checkpoint. */
  let orphans: string[] = [];
  return {
    name: 'window slots',
    kinds: [WINDOW],
    restore(records, nowMs) {
      const result = restoreWindows(agent, records.get(WINDOW) ?? [], nowMs);
      written = result.written;
      orphans = result.orphans;
      return result;
    },
    changes(moment) {
      const next = new Map<string, Written>();
      const upserts: StoredRecord[] = [];
      const deletes = orphans.map((key) => ({ kind: WINDOW, key }));
      const updates: (() => void)[] = [];
      for (const series of agent.registry.list()) {
        const key = seriesKey(series);
        const before = written.get(key);
        const known = before?.window === series.window ? before : undefined;
        const one = known ?? { window: series.window, cursor: 0, epochs: new Map<number, number>() };
        next.set(key, one);
        updates.push(exportSeries(key, one, before, moment, upserts, deletes));
      }
      for (const [key, gone] of written)
        if (!next.has(key))
          for (const epoch of gone.epochs.keys()) deletes.push({ kind: WINDOW, key: `${key}#${epoch}` });
      return {
        upserts,
        deletes,
        commit() {
          for (const update of updates) update();
          written = next;
          orphans = [];
        },
      } satisfies SectionChanges;
    },
  };
}

/** Adds one series' changed slots and aged-out epochs; returns what to remember once written. */
function exportSeries(
  key: string,
  one: Written,
  before: Written | undefined,
  moment: CheckpointMoment,
  upserts: StoredRecord[],
  deletes: { kind: string; key: string }[],
): () => void {
  const { window } = one;
  const state = window.exportState(one.cursor, moment.final ? Number.POSITIVE_INFINITY : moment.nowMs);
  const { version, windowMs, resolutionMs, relativeAccuracy, lastRecordMs } = state;
  const slots = state.slots.filter((slot) => one.epochs.get(slot.epoch) !== slot.count);
  const added = slots.map((slot) => slot.epoch);
  for (const slot of slots) {
    const value: StoredSlot = { version, windowMs, resolutionMs, relativeAccuracy, lastRecordMs, slot };
    upserts.push({ kind: WINDOW, key: `${key}#${slot.epoch}`, value });
  }
  // Epochs a replaced window (same series, forgotten and created again) stored and no longer has.
  const stale =
    before !== undefined && before !== one ? [...before.epochs.keys()].filter((e) => !added.includes(e)) : [];
  const oldest = Math.floor(moment.nowMs / resolutionMs) - windowMs / resolutionMs;
  const aged = [...one.epochs.keys()].filter((epoch) => epoch <= oldest && !added.includes(epoch));
  for (const epoch of [...stale, ...aged]) deletes.push({ kind: WINDOW, key: `${key}#${epoch}` });
  return () => {
    one.cursor = state.cursor;
    for (const epoch of aged) one.epochs.delete(epoch);
    for (const slot of slots) one.epochs.set(slot.epoch, slot.count);
  };
}

/** Puts the stored slots back into their series (created as spans would create them). */
function restoreWindows(
  agent: Agent,
  records: readonly StoredRecord[],
  nowMs: number,
): SectionRestore & { written: Map<string, Written>; orphans: string[] } {
  const bySeries = new Map<string, StoredRecord[]>();
  const orphans: string[] = [];
  for (const record of records) {
    if (!isStoredSlot(record.value)) {
      orphans.push(record.key);
      continue;
    }
    const key = record.key.slice(0, record.key.lastIndexOf('#'));
    bySeries.set(key, [...(bySeries.get(key) ?? []), record]);
  }
  const written = new Map<string, Written>();
  let restored = 0;
  for (const [key, stored] of bySeries) {
    const series = seriesOf(agent, key, stored, nowMs);
    if (series === undefined) {
      orphans.push(...stored.map((record) => record.key));
      continue;
    }
    const result = series.window.restoreState(windowState(stored));
    restored += result.restored;
    const epochs = new Map(
      stored.map(({ value }) => [(value as StoredSlot).slot.epoch, (value as StoredSlot).slot.count]),
    );
    written.set(key, { window: series.window, cursor: 0, epochs });
  }
  return { restored, dropped: records.length - restored, written, orphans };
}

/**
 * The series of a stored key when one of its slots is still inside the window at `nowMs` and
 * the registry keeps it under the same names (not folded by a cap); `undefined` otherwise.
 */
function seriesOf(
  agent: Agent,
  key: string,
  stored: readonly StoredRecord[],
  nowMs: number,
): Series | undefined {
  let names: unknown;
  try {
    names = JSON.parse(key);
  } catch {
    return undefined;
  }
  if (!Array.isArray(names) || names.length !== 5 || !names.every((n) => typeof n === 'string'))
    return undefined;
  const fresh = stored.some((record) => {
    const { slot, resolutionMs, windowMs } = record.value as StoredSlot;
    return slot.epoch > Math.floor(nowMs / resolutionMs) - windowMs / resolutionMs;
  });
  if (!fresh) return undefined;
  const [namespace, service, operation, context, phase] = names as string[];
  const series = agent.registry.resolve(
    service as string,
    operation as string,
    context as string,
    phase,
    namespace,
  );
  return seriesKey(series) === key ? series : undefined;
}

/** The window state the stored slots of one series make (its newest end time clamped to its slots). */
function windowState(stored: readonly StoredRecord[]): unknown {
  const values = stored.map((record) => record.value as StoredSlot);
  const first = values[0] as StoredSlot;
  const slots = values.map((value) => value.slot).sort((a, b) => a.epoch - b.epoch);
  const newestEpoch = slots.at(-1)?.epoch ?? 0;
  const lastRecordMs = Math.min(
    Math.max(...values.map((value) => value.lastRecordMs ?? Number.NEGATIVE_INFINITY)),
    (newestEpoch + 1) * first.resolutionMs - 1,
  );
  const { version, windowMs, resolutionMs, relativeAccuracy } = first;
  return { version, windowMs, resolutionMs, relativeAccuracy, cursor: 0, lastRecordMs, slots };
}

/** A series' identity as a record key prefix. */
function seriesKey(series: Series): string {
  return JSON.stringify([series.namespace, series.service, series.operation, series.context, series.phase]);
}

/** Whether a stored value has the fields a restore reads before the window checks the rest. */
function isStoredSlot(value: unknown): value is StoredSlot {
  const { slot, resolutionMs, windowMs } = (value ?? {}) as Partial<StoredSlot>;
  return (
    typeof slot === 'object' &&
    slot !== null &&
    Number.isSafeInteger(slot.epoch) &&
    Number.isSafeInteger(resolutionMs) &&
    (resolutionMs as number) > 0 &&
    Number.isSafeInteger(windowMs)
  );
}
