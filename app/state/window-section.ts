/**
 * The sliding windows in the store, incrementally. Each checkpoint writes one record (kind
 * `window`, keyed by a batch number) holding every slot closed since the previous checkpoint, of
 * every series (the slot still filling waits for the next checkpoint; the final one at shutdown
 * writes it too). A slot is written once, and again only if a late sample changed it (it then
 * appears in a later batch, whose copy wins); per series, a cursor says which changes were
 * written. A batch is deleted once all its slots are older than the window. One record per
 * checkpoint keeps the cost to one row whatever the number of series (bench/checkpoint.bench.ts).
 * A warm restart therefore judges the last window as before, less what came after the last
 * checkpoint.
 */
import type { Agent, Series, StoredRecord } from '../../agent/index.ts';
import { packSlot } from './slot-codec.ts';
import type { SectionChanges, StateSection } from './state-section.ts';
import { restoreWindows, type WindowBatch } from './window-batches.ts';

const WINDOW = 'window';

/** What was written of one series' window. */
interface Written {
  /** The export cursor the next checkpoint starts from. */
  cursor: number;
  /**
   * Per slot index (epoch modulo the slot count), the epoch stored and its sample count: a slot
   * only grows (or is cleared for a newer epoch), so equal ones mean the stored slot is the same.
   */
  readonly epochs: Float64Array;
  readonly counts: Float64Array;
}

type Slot = ReturnType<Series['window']['exportState']>['slots'][number];

export function windowSection(agent: Agent): StateSection {
  /** By series object: a series forgotten and created again is another one. */
  let written = new Map<Series, Written>();
  /** Stored batches by key, with the end of their newest slot (ms): deleted once out of the window. */
  const batches = new Map<string, number>();
  let nextBatch = 0;
  return {
    name: 'window slots',
    kinds: [WINDOW],
    restore(records, nowMs) {
      const result = restoreWindows(agent, records.get(WINDOW) ?? [], nowMs);
      for (const [key, endMs] of result.batches) batches.set(key, endMs);
      nextBatch = result.nextBatch;
      for (const [series, slots] of result.series) {
        const one = newWritten(series.window.slotCount);
        for (const slot of slots) remember(one, slot);
        written.set(series, one);
      }
      return result;
    },
    changes(moment) {
      const next = new Map<Series, Written>();
      const batch: WindowBatch['series'][number][] = [];
      const pending: [Written, number, Slot[]][] = [];
      let options: Omit<WindowBatch, 'series' | 'endMs'> | undefined;
      let endMs = Number.NEGATIVE_INFINITY;
      for (const series of agent.registry.list()) {
        const one = written.get(series) ?? newWritten(series.window.slotCount);
        next.set(series, one);
        const closedAtMs = moment.final ? Number.POSITIVE_INFINITY : moment.nowMs;
        const state = series.window.exportState(one.cursor, closedAtMs);
        const slots = state.slots.filter((slot) => !isStored(one, slot));
        pending.push([one, state.cursor, slots]);
        if (slots.length === 0) continue;
        const { version, windowMs, resolutionMs, relativeAccuracy, lastRecordMs } = state;
        options ??= { version, windowMs, resolutionMs, relativeAccuracy };
        endMs = Math.max(endMs, ((slots.at(-1) as Slot).epoch + 1) * resolutionMs);
        const names = [series.namespace, series.service, series.operation, series.context, series.phase];
        batch.push({ names, lastRecordMs, slots: slots.map(packSlot) });
      }
      const { lengthMs, resolutionMs } = agent.config.window;
      // The end of the newest slot out of the window (the slot of epoch `now - slots`).
      const outMs = (Math.floor(moment.nowMs / resolutionMs) - lengthMs / resolutionMs + 1) * resolutionMs;
      const aged = [...batches].filter(([, end]) => end <= outMs).map(([key]) => key);
      const key = String(nextBatch).padStart(12, '0');
      const upserts: StoredRecord[] =
        options === undefined ? [] : [{ kind: WINDOW, key, value: { ...options, endMs, series: batch } }];
      return {
        upserts,
        deletes: aged.map((gone) => ({ kind: WINDOW, key: gone })),
        commit() {
          for (const [one, cursor, slots] of pending) {
            one.cursor = cursor;
            for (const slot of slots) remember(one, slot);
          }
          written = next;
          for (const gone of aged) batches.delete(gone);
          if (options === undefined) return;
          batches.set(key, endMs);
          nextBatch++;
        },
      } satisfies SectionChanges;
    },
  };
}

function newWritten(slotCount: number): Written {
  return {
    cursor: 0,
    epochs: new Float64Array(slotCount).fill(Number.NaN),
    counts: new Float64Array(slotCount),
  };
}

function indexOf(one: Written, epoch: number): number {
  const index = epoch % one.epochs.length;
  return index < 0 ? index + one.epochs.length : index;
}

function isStored(one: Written, slot: Slot): boolean {
  const index = indexOf(one, slot.epoch);
  return one.epochs[index] === slot.epoch && one.counts[index] === slot.count;
}

function remember(one: Written, slot: Slot): void {
  const index = indexOf(one, slot.epoch);
  one.epochs[index] = slot.epoch;
  one.counts[index] = slot.count;
}
