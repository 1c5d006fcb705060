/**
 * The samples of one series not yet handed on (a cluster worker's delta): one small DDSketch per
 * epoch they ended in, with its counts, exported as window slots that `SlidingWindow.mergeState`
 * adds exactly (same mapping: bins add).
 */
import { createSketch, type Sketch } from './sketch.ts';
import { exportSketch } from './sketch-state.ts';
import type { SlotState } from './window-state.ts';

/** Options of {@link DeltaSlots}: those of the windows the slots are merged into. */
export interface DeltaSlotsOptions {
  /** Span of one slot, ms. */
  readonly resolutionMs: number;
  /** Relative accuracy of the sketches, 0..1 exclusive. */
  readonly relativeAccuracy: number;
  /** Bins per sketch before the lowest ones collapse. @default 2048 */
  readonly maxBins?: number;
}

interface Slot {
  readonly sketch: Sketch;
  count: number;
  errorCount: number;
}

/** What {@link DeltaSlots.take} hands on. */
export interface TakenSlots {
  /** Oldest epoch first. */
  readonly slots: SlotState[];
  /** Largest end time taken, ms; null when nothing was recorded. */
  readonly lastRecordMs: number | null;
}

/**
 * Pending slots of one series, by epoch. Takes only samples a window accepted (valid durations);
 * holds at most the epochs recorded since the last {@link take}, and {@link dropBefore} bounds them.
 */
export class DeltaSlots {
  readonly #resolutionMs: number;
  readonly #relativeAccuracy: number;
  readonly #maxBins: number;
  readonly #slots = new Map<number, Slot>();
  // Most samples land in the epoch of the previous one: it is looked up without the map.
  #lastEpoch = Number.NaN;
  #last: Slot | undefined;
  #lastRecordMs = Number.NEGATIVE_INFINITY;

  constructor(options: DeltaSlotsOptions) {
    this.#resolutionMs = options.resolutionMs;
    this.#relativeAccuracy = options.relativeAccuracy;
    this.#maxBins = options.maxBins ?? 2048;
  }

  /** Whether nothing is pending. */
  get empty(): boolean {
    return this.#slots.size === 0;
  }

  /** Adds one accepted sample (`durationMs` >= 0 and finite, `endTimeMs` finite). */
  record(durationMs: number, isError: boolean, endTimeMs: number): void {
    const epoch = Math.floor(endTimeMs / this.#resolutionMs);
    let slot = epoch === this.#lastEpoch ? this.#last : this.#slots.get(epoch);
    if (slot === undefined) {
      slot = { sketch: createSketch(this.#relativeAccuracy, this.#maxBins), count: 0, errorCount: 0 };
      this.#slots.set(epoch, slot);
    }
    this.#last = slot;
    this.#lastEpoch = epoch;
    slot.sketch.accept(durationMs + 0);
    slot.count++;
    if (isError) slot.errorCount++;
    if (endTimeMs > this.#lastRecordMs) this.#lastRecordMs = endTimeMs;
  }

  /** Forgets the slots of epochs before `epoch`; returns how many samples they held. */
  dropBefore(epoch: number): number {
    let dropped = 0;
    for (const [held, slot] of this.#slots) {
      if (held >= epoch) continue;
      dropped += slot.count;
      this.#slots.delete(held);
    }
    this.#forgetLast();
    return dropped;
  }

  /** Every pending slot as window slots, forgetting them. */
  take(): TakenSlots {
    const slots: SlotState[] = [];
    for (const [epoch, slot] of this.#slots) {
      slots.push({
        epoch,
        count: slot.count,
        errorCount: slot.errorCount,
        sketch: exportSketch(slot.sketch),
      });
    }
    slots.sort((a, b) => a.epoch - b.epoch);
    const lastRecordMs = Number.isFinite(this.#lastRecordMs) ? this.#lastRecordMs : null;
    this.#slots.clear();
    this.#forgetLast();
    return { slots, lastRecordMs };
  }

  #forgetLast(): void {
    this.#last = undefined;
    this.#lastEpoch = Number.NaN;
  }
}
