/**
 * SLO histories in the store, incrementally. Per (SLO, service), a head record (kind `slo`: the
 * cumulative events, scope, start and the rings' resolutions) rewritten when its counters move,
 * and the history's samples in chunks (kind `slo-samples`) of {@link CHUNK_SAMPLES} consecutive
 * sample buckets of one ring: a tick changes only the newest sample of each ring, so a checkpoint
 * rewrites one chunk per ring (and the oldest when samples age out), never the whole 30 days
 * (up to 1,518 samples).
 */
import type { SloTracker, StoredRecord } from '../../agent/index.ts';
import {
  type CheckpointMoment,
  KeyedRecords,
  type SectionChanges,
  type StateSection,
} from './state-section.ts';

const HEAD = 'slo';
const SAMPLES = 'slo-samples';
/** Sample buckets per chunk: 1 h of the 1-minute ring, 10 h of the 10-minute ring. */
const CHUNK_SAMPLES = 60;

type TrackerState = ReturnType<SloTracker['exportState']>;
type Entry = TrackerState['entries'][number];
type Ring = Entry['history']['rings'][number];

/** One chunk's samples, oldest first (times in ms since the epoch). */
interface Chunk {
  readonly timesMs: number[];
  readonly good: number[];
  readonly total: number[];
}

export function sloSection(slos: SloTracker): StateSection {
  const heads = new KeyedRecords(HEAD);
  /** Sample record key -> signature of the chunk written. */
  const written = new Map<string, string>();
  return {
    name: 'SLO histories',
    kinds: [HEAD, SAMPLES],
    restore(records) {
      const stored = records.get(HEAD) ?? [];
      const samples = records.get(SAMPLES) ?? [];
      heads.remember(stored);
      for (const record of samples) written.set(record.key, signature(record.value as Chunk));
      const state = rebuild(stored, samples, slos.exportState().version);
      const { restored } = slos.restoreState(state);
      return { restored, dropped: stored.length - restored };
    },
    changes(_moment: CheckpointMoment): SectionChanges {
      const { version, entries } = slos.exportState();
      const current = new Map<string, string>();
      const upserts: StoredRecord[] = [];
      const headValues: [string, unknown][] = [];
      for (const entry of entries) {
        const { history, ...counts } = entry;
        const key = JSON.stringify([entry.slo, entry.namespace, entry.service]);
        const resolutionsMs = history.rings.map((ring) => ring.resolutionMs);
        headValues.push([key, { ...counts, version, changedMs: history.changedMs, resolutionsMs }]);
        history.rings.forEach((ring, index) => {
          for (const [id, chunk] of chunksOf(ring)) {
            const chunkKey = `${key}#${index}#${id}`;
            const sign = signature(chunk);
            current.set(chunkKey, sign);
            if (written.get(chunkKey) !== sign) upserts.push({ kind: SAMPLES, key: chunkKey, value: chunk });
          }
        });
      }
      const head = heads.diff(headValues);
      const deletes = [...written.keys()]
        .filter((key) => !current.has(key))
        .map((key) => ({ kind: SAMPLES, key }));
      return {
        upserts: [...head.upserts, ...upserts],
        deletes: [...head.deletes, ...deletes],
        commit() {
          head.commit();
          written.clear();
          for (const [key, sign] of current) written.set(key, sign);
        },
      };
    },
  };
}

/** A ring's samples by chunk id (`floor(time / (resolution x CHUNK_SAMPLES))`), oldest first. */
function chunksOf(ring: Ring): Map<number, Chunk> {
  const chunks = new Map<number, Chunk>();
  const spanMs = ring.resolutionMs * CHUNK_SAMPLES;
  ring.timesMs.forEach((atMs, i) => {
    const id = Math.floor(atMs / spanMs);
    let chunk = chunks.get(id);
    if (chunk === undefined) {
      chunk = { timesMs: [], good: [], total: [] };
      chunks.set(id, chunk);
    }
    chunk.timesMs.push(atMs);
    chunk.good.push(ring.good[i] as number);
    chunk.total.push(ring.total[i] as number);
  });
  return chunks;
}

/**
 * What identifies a chunk's content: samples are appended, the newest replaced and the oldest
 * aged out, so its length, first time and newest sample tell every change.
 */
function signature(chunk: Chunk): string {
  const { timesMs, good, total } = chunk ?? {};
  if (!Array.isArray(timesMs) || !Array.isArray(good) || !Array.isArray(total)) return '';
  const last = timesMs.length - 1;
  return `${timesMs.length}:${timesMs[0]}:${timesMs[last]}:${good[last]}:${total[last]}`;
}

/** The tracker state the stored heads and chunks make; chunks are joined in id order per ring. */
function rebuild(heads: readonly StoredRecord[], samples: readonly StoredRecord[], version: number): unknown {
  const rings = new Map<string, [id: number, chunk: Chunk][]>();
  for (const record of samples) {
    const [ringKey, id] = splitLast(record.key);
    const list = rings.get(ringKey) ?? [];
    list.push([Number(id), record.value as Chunk]);
    rings.set(ringKey, list);
  }
  let lastMs: number | null = null;
  const entries = heads.map((head) => {
    const { resolutionsMs, changedMs, ...counts } = head.value as Record<string, unknown>;
    if ((head.value as { version?: unknown }).version !== version || !Array.isArray(resolutionsMs))
      return undefined;
    const history = {
      changedMs,
      rings: resolutionsMs.map((resolutionMs, index) => {
        const chunks = (rings.get(`${head.key}#${index}`) ?? []).sort((a, b) => a[0] - b[0]);
        const joined = (field: keyof Chunk) =>
          chunks.flatMap(([, chunk]) => (Array.isArray(chunk?.[field]) ? chunk[field] : [NaN]));
        const timesMs = joined('timesMs');
        lastMs = Math.max(lastMs ?? -Infinity, timesMs.at(-1) ?? -Infinity);
        return { resolutionMs, timesMs, good: joined('good'), total: joined('total') };
      }),
    };
    return { ...counts, history };
  });
  return { version, lastMs: Number.isFinite(lastMs) ? lastMs : null, entries };
}

/** `a#b#c` -> [`a#b`, `c`]. */
function splitLast(key: string): [string, string] {
  const at = key.lastIndexOf('#');
  return [key.slice(0, at), key.slice(at + 1)];
}
