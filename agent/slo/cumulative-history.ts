/**
 * The history of one (SLO, service): cumulative good and total events sampled at every
 * observation, kept in rings of decreasing resolution so a 30-day SLO costs about 36 KB. The
 * increase over a window is the newest sample minus the value interpolated at the window's start.
 */
import { isFiniteNumber, isRecord } from '../durable-state.ts';
import { type RingSamples, SampleRing, type SampleTier } from './sample-ring.ts';
import { BURN_WINDOWS_MS, type EventCounts } from './types.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** Coarsest tier: this many samples over the SLO window (1 h resolution for 30 d). */
const COARSE_SAMPLES = 720;

/**
 * The default rings for an SLO window: 1 min over 6 h (the page windows), 10 min over 3 d (the
 * ticket windows), and `max(1 h, window / 720)` over `max(window, 3 d)` (the budget), so any SLO
 * window holds at most 1,518 samples (3 x 8 bytes each, ~36 KB).
 * @example defaultTiers(30 * 86_400_000)[2] // { resolutionMs: 3_600_000, spanMs: 2_592_000_000 }
 */
export function defaultTiers(windowMs: number): SampleTier[] {
  const coarseMs = Math.max(HOUR_MS, Math.ceil(windowMs / COARSE_SAMPLES / MINUTE_MS) * MINUTE_MS);
  return [
    { resolutionMs: MINUTE_MS, spanMs: BURN_WINDOWS_MS['6h'] },
    { resolutionMs: 10 * MINUTE_MS, spanMs: BURN_WINDOWS_MS['3d'] },
    { resolutionMs: coarseMs, spanMs: Math.max(windowMs, BURN_WINDOWS_MS['3d']) },
  ];
}

/** A {@link CumulativeHistory} as plain data: its rings (finest first) and when it last changed. */
export interface HistoryState {
  /** When the counters last grew, ms since the epoch. */
  readonly changedMs: number;
  readonly rings: readonly RingSamples[];
}

/** Cumulative (good, total) counters over time; the counters never decrease (see `SeriesDeltas`). */
export class CumulativeHistory {
  /** Finest first. */
  readonly #rings: readonly SampleRing[];
  #latest: EventCounts = { good: 0, total: 0 };
  #latestMs = -Infinity;
  #changedMs = -Infinity;

  /** @param tiers finest first, each reaching further back than the one before */
  constructor(tiers: readonly SampleTier[]) {
    this.#rings = tiers.map((tier) => new SampleRing(tier));
  }

  /** The newest counters. */
  get latest(): EventCounts {
    return this.#latest;
  }

  /** Time of the newest sample, ms; `-Infinity` before the first. */
  get latestMs(): number {
    return this.#latestMs;
  }

  /** When the counters last grew (or the first sample), ms: a history idle longer than its reach can go. */
  get changedMs(): number {
    return this.#changedMs;
  }

  /** Records the counters at `atMs`; an earlier time than the newest sample is taken as the newest's. */
  push(atMs: number, counts: EventCounts): void {
    const at = Math.max(atMs, this.#latestMs);
    const first = this.#latestMs === -Infinity;
    if (first || counts.total !== this.#latest.total || counts.good !== this.#latest.good) {
      this.#changedMs = at;
    }
    this.#latest = counts;
    this.#latestMs = at;
    for (const ring of this.#rings) ring.push(at, counts);
  }

  /** The history as plain data; call only once it holds a sample. */
  export(): HistoryState {
    return { changedMs: this.#changedMs, rings: this.#rings.map((ring) => ring.samples()) };
  }

  /**
   * Takes back an exported history into this empty one (same tiers); false when it does not fit
   * (see `SampleRing.restore`), or holds no sample: the history is then left empty.
   */
  restore(state: unknown): boolean {
    if (!isRecord(state) || !isFiniteNumber(state.changedMs) || !Array.isArray(state.rings)) return false;
    const rings = state.rings as unknown[];
    if (rings.length !== this.#rings.length) return false;
    const restored = this.#rings.every(
      (ring, i) => isRecord(rings[i]) && ring.restore(rings[i] as unknown as RingSamples),
    );
    const finest = rings[0] as RingSamples | undefined;
    const newest = finest === undefined ? -1 : finest.timesMs.length - 1;
    if (!restored || finest === undefined || newest < 0) {
      for (const ring of this.#rings) ring.restore({ ...ring.samples(), timesMs: [], good: [], total: [] });
      return false;
    }
    this.#latest = { good: finest.good[newest] as number, total: finest.total[newest] as number };
    this.#latestMs = finest.timesMs[newest] as number;
    this.#changedMs = state.changedMs;
    return true;
  }

  /**
   * Events over the `windowMs` ending at the newest sample; over the whole history when it is
   * shorter. Zero counts when empty.
   */
  increase(windowMs: number): EventCounts {
    const ring = this.#ringFor(this.#latestMs - windowMs);
    if (ring === undefined) return { good: 0, total: 0 };
    const base = ring.valueAt(this.#latestMs - windowMs);
    return {
      good: Math.max(0, this.#latest.good - base.good),
      total: Math.max(0, this.#latest.total - base.total),
    };
  }

  /** The finest ring reaching back to `fromMs`, else the one reaching furthest back. */
  #ringFor(fromMs: number): SampleRing | undefined {
    let furthest: SampleRing | undefined;
    for (const ring of this.#rings) {
      if (ring.size === 0) continue;
      if (ring.oldestMs <= fromMs) return ring;
      if (furthest === undefined || ring.oldestMs < furthest.oldestMs) furthest = ring;
    }
    return furthest;
  }
}
