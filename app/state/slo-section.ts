/**
 * SLO histories in the store, incrementally. Per (SLO, service), a head record (kind `slo`: SLO,
 * service, scope, start, the rings' resolutions) written once, and the history's samples in chunks
 * (kind `slo-samples`) of {@link CHUNK_SAMPLES} consecutive buckets of one ring. Every ring's newest
 * sample is the history's latest (each observation goes to every ring), so it is stored once, in
 * the finest ring, with the counters' last change; the coarser rings' chunks leave it out. A tick
 * thus changes one chunk (the finest ring's newest, at most 16 samples), and a checkpoint rewrites
 * that one, plus a coarser ring's chunk when one of its buckets closes or ages out; never 30 days
 * of samples (up to 1,518).
 */
import type { SloTracker, StoredRecord } from '../../agent/index.ts';
import { KeyedRecords, type SectionChanges, type StateSection } from './state-section.ts';

const HEAD = 'slo';
const SAMPLES = 'slo-samples';
/** Sample buckets per chunk: 16 min of the 1-minute ring, 160 min of the 10-minute ring. */
const CHUNK_SAMPLES = 16;

type TrackerState = ReturnType<SloTracker['exportState']>;
type Entry = TrackerState['entries'][number];
type Ring = Entry['history']['rings'][number];

/** One chunk's samples, oldest first (times in ms since the epoch). */
interface Chunk {
  readonly timesMs: number[];
  readonly good: number[];
  readonly total: number[];
  /** In the finest ring's newest chunk: when the counters last grew, ms since the epoch. */
  changedMs?: number;
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
    changes(): SectionChanges {
      const { version, entries } = slos.exportState();
      const current = new Map<string, string>();
      const upserts: StoredRecord[] = [];
      const headValues: [string, unknown][] = [];
      for (const entry of entries) {
        const { history, good: _good, total: _total, ...identity } = entry;
        const key = JSON.stringify([entry.slo, entry.namespace, entry.service]);
        const resolutionsMs = history.rings.map((ring) => ring.resolutionMs);
        headValues.push([key, { ...identity, version, resolutionsMs }]);
        history.rings.forEach((ring, index) => {
          const chunks = chunksOf(ring, index > 0);
          if (index === 0) [...chunks.values()].at(-1)!.changedMs = history.changedMs;
          for (const [id, chunk] of chunks) {
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

/**
 * A ring's samples by chunk id (`floor(time / (resolution x CHUNK_SAMPLES))`), oldest first,
 * without its newest sample when `dropNewest`. An exported history holds at least one sample.
 */
function chunksOf(ring: Ring, dropNewest: boolean): Map<number, Chunk> {
  const chunks = new Map<number, Chunk>();
  const spanMs = ring.resolutionMs * CHUNK_SAMPLES;
  const end = ring.timesMs.length - (dropNewest ? 1 : 0);
  for (let i = 0; i < end; i++) {
    const atMs = ring.timesMs[i] as number;
    const id = Math.floor(atMs / spanMs);
    let chunk = chunks.get(id);
    if (chunk === undefined) {
      chunk = { timesMs: [], good: [], total: [] };
      chunks.set(id, chunk);
    }
    chunk.timesMs.push(atMs);
    chunk.good.push(ring.good[i] as number);
    chunk.total.push(ring.total[i] as number);
  }
  return chunks;
}

/**
 * What identifies a chunk's content: samples are appended, the newest replaced and the oldest
 * aged out, so its length, first time, newest sample (and last change) tell every change.
 */
function signature(chunk: Chunk): string {
  const { timesMs, good, total, changedMs } = chunk ?? {};
  if (!Array.isArray(timesMs) || !Array.isArray(good) || !Array.isArray(total)) return '';
  const last = timesMs.length - 1;
  return `${timesMs.length}:${timesMs[0]}:${timesMs[last]}:${good[last]}:${total[last]}:${changedMs}`;
}

/**
 * The tracker state the stored heads and chunks make: chunks joined in id order per ring, the
 * finest ring's newest sample (the counters) appended to the coarser rings.
 */
function rebuild(heads: readonly StoredRecord[], samples: readonly StoredRecord[], version: number): unknown {
  const rings = new Map<string, [id: number, chunk: Chunk][]>();
  for (const record of samples) {
    const [ringKey, id] = splitLast(record.key);
    const list = rings.get(ringKey) ?? [];
    list.push([Number(id), record.value as Chunk]);
    rings.set(ringKey, list);
  }
  let lastMs = Number.NEGATIVE_INFINITY;
  const entries = heads.map((head) => {
    const { resolutionsMs, ...identity } = head.value as Record<string, unknown>;
    if (identity.version !== version || !Array.isArray(resolutionsMs)) return undefined;
    const joined = resolutionsMs.map((resolutionMs, index) => {
      const chunks = (rings.get(`${head.key}#${index}`) ?? []).sort((a, b) => a[0] - b[0]);
      const field = (name: 'timesMs' | 'good' | 'total') =>
        chunks.flatMap(([, chunk]) => (Array.isArray(chunk?.[name]) ? chunk[name] : [Number.NaN]));
      return { resolutionMs, timesMs: field('timesMs'), good: field('good'), total: field('total') };
    });
    const finest = joined[0];
    const at = (finest?.timesMs.length ?? 0) - 1;
    const latest = { atMs: finest?.timesMs[at], good: finest?.good[at], total: finest?.total[at] };
    for (const ring of joined.slice(1)) {
      ring.timesMs.push(latest.atMs as number);
      ring.good.push(latest.good as number);
      ring.total.push(latest.total as number);
    }
    lastMs = Math.max(lastMs, latest.atMs ?? Number.NEGATIVE_INFINITY);
    const changedMs = (rings.get(`${head.key}#0`) ?? []).sort((a, b) => a[0] - b[0]).at(-1)?.[1]?.changedMs;
    return { ...identity, good: latest.good, total: latest.total, history: { changedMs, rings: joined } };
  });
  return { version, lastMs: Number.isFinite(lastMs) ? lastMs : null, entries };
}

/** `a#b#c` -> [`a#b`, `c`]. */
function splitLast(key: string): [string, string] {
  const at = key.lastIndexOf('#');
  return [key.slice(0, at), key.slice(at + 1)];
}
