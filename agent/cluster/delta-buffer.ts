/**
 * A cluster worker's samples not yet shipped to the primary, per series: window slots (small
 * DDSketches by epoch) and histogram counts, taken as compact deltas each tick. Bounded: the series
 * are the worker's own (capped by its registry) and a slot older than the window is dropped and
 * counted (`backlog`), so a primary that never answers costs at most one window of data.
 */
import type { Series } from '../window/index.ts';
import { DeltaSlots, SeriesTotals } from '../window/index.ts';
import type { SeriesDelta } from './protocol.ts';

/** The window shape of the slots (the config's `window`). */
export interface DeltaBufferOptions {
  readonly windowMs: number;
  readonly resolutionMs: number;
  readonly relativeAccuracy: number;
}

interface Pending {
  readonly slots: DeltaSlots;
  readonly totals: SeriesTotals;
}

/** Fixed cost of one slot or series in a message, in bins (its counts, epoch, names). */
const OVERHEAD_BINS = 16;

export class DeltaBuffer {
  readonly #options: DeltaBufferOptions;
  /** By series object: a series forgotten and created again is another one. */
  readonly #pending = new Map<Series, Pending>();
  #droppedBacklog = 0;

  constructor(options: DeltaBufferOptions) {
    this.#options = options;
  }

  /** Samples dropped as older than the window before they could be shipped, since creation. */
  get droppedBacklog(): number {
    return this.#droppedBacklog;
  }

  /** Whether nothing waits to be shipped. */
  get empty(): boolean {
    return this.#pending.size === 0;
  }

  /** Adds one sample a series' window accepted (an agent's `SampleTap`). Never throws. */
  readonly record = (series: Series, durationMs: number, isError: boolean, endTimeMs: number): void => {
    let pending = this.#pending.get(series);
    if (pending === undefined) {
      pending = { slots: new DeltaSlots(this.#options), totals: new SeriesTotals(series.totals.boundsMs) };
      this.#pending.set(series, pending);
    }
    pending.slots.record(durationMs, isError, endTimeMs);
    pending.totals.record(durationMs, isError);
  };

  /**
   * Drops the slots that left the window ending at `nowMs` (their samples are counted in
   * {@link droppedBacklog}); their histogram counts are still shipped, so cumulative counters
   * lose nothing.
   */
  expire(nowMs: number): void {
    const { resolutionMs, windowMs } = this.#options;
    const oldest = Math.floor(nowMs / resolutionMs) - windowMs / resolutionMs + 1;
    for (const pending of this.#pending.values()) this.#droppedBacklog += pending.slots.dropBefore(oldest);
  }

  /**
   * Takes the deltas of pending series until about `maxBins` sketch bins are taken (always at
   * least one series), forgetting them; the other series wait for the next take.
   */
  take(maxBins: number): SeriesDelta[] {
    const taken: SeriesDelta[] = [];
    let bins = 0;
    for (const [series, pending] of this.#pending) {
      if (taken.length > 0 && bins >= maxBins) break;
      this.#pending.delete(series);
      const { slots, lastRecordMs } = pending.slots.take();
      const names = [
        series.namespace,
        series.service,
        series.operation,
        series.context,
        series.phase,
      ] as const;
      taken.push({ names, lastRecordMs, slots, totals: pending.totals.counts() });
      bins += OVERHEAD_BINS;
      for (const slot of slots) bins += slot.sketch.bins.length + OVERHEAD_BINS;
    }
    return taken;
  }
}
