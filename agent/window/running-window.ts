/**
 * A sliding window read whole, with a running merged sketch (issue 15, review16 L2): the admission
 * controller reads two or three percentiles of its classes' windows every tick, and merging their
 * slot sketches on each read was most of the tick. Each sample goes into its slot's sketch and,
 * once the window has been read, into a running total; a read takes the slots that left the window
 * (or are not in it yet) out of the total and puts those that came in back, slot by slot, which
 * DDSketch bins allow exactly (a bin's counts add). A read answers what {@link SlidingWindow}
 * answers for the same samples merging the slots on read: the same count per bin, the same min and
 * max (those of the slots in the window), so the same value at every quantile. A window not read
 * for a whole window stops keeping its total (no cost per sample) and rebuilds it from the slots on
 * the next read, as does a total whose keys spanned more than `maxBins` (values 17 orders of
 * magnitude apart at 1 %: it folded its lowest bins). No export or restore: a window that must
 * survive a restart is a {@link SlidingWindow}.
 * @example
 * const window = new RunningWindow({ windowMs: 3000 });
 * window.record(ratio, endMs);
 * window.quantile(clock.now(), 0.95);
 */
import {
  clearSketch,
  createSketch,
  isFolded,
  mergeSketchInto,
  type Sketch,
  subtractSketchFrom,
  valueAtQuantile,
  valueAtQuantileOf,
} from './sketch.ts';
import { resolveSlidingWindowOptions, type SlidingWindowOptions } from './window-options.ts';

/** A sliding window of values whose reads are whole-window counts and quantiles. */
export class RunningWindow {
  /** Span of the full window, in ms. */
  readonly windowMs: number;
  /** Span of one slot, in ms. */
  readonly resolutionMs: number;
  /** Number of slots (`windowMs / resolutionMs`). */
  readonly slotCount: number;
  readonly #maxBins: number;
  readonly #relativeAccuracy: number;
  readonly #epochs: Float64Array;
  readonly #counts: Float64Array;
  /** Each slot's smallest and largest value (its sketch's min and max, kept here so a read touches no slot it does not merge). */
  readonly #mins: Float64Array;
  readonly #maxes: Float64Array;
  readonly #sketches: (Sketch | undefined)[];
  /** {@link count}'s answer, for the epoch of now and the samples recorded (`#recorded`) it was taken at. */
  readonly #counted = { epoch: Number.NaN, recorded: 0, count: 0 };
  #recorded = 0;
  #newestEpoch = Number.NEGATIVE_INFINITY;
  #newestIndex = 0;
  /** The running total: the slots flagged in `#inTotal`; created on the first quantile read. */
  #total: Sketch | undefined;
  readonly #inTotal: Uint8Array;
  /** The epoch of the window the total was last brought to; NaN when a slot changed epoch since. */
  #totalEpoch = Number.NaN;
  /** Whether the total follows each sample: from a read until a window passes without one. */
  #tracking = false;
  /** The epoch of the last quantile read. */
  #readEpoch = Number.NEGATIVE_INFINITY;
  /** Slots a read takes, ending at the slot of now: the whole window unless {@link readOver} narrowed it. */
  #readSlots: number;

  /** @throws WindowOptionsError when an option is invalid (see {@link resolveSlidingWindowOptions}). */
  constructor(options: SlidingWindowOptions = {}) {
    const resolved = resolveSlidingWindowOptions(options);
    this.windowMs = resolved.windowMs;
    this.resolutionMs = resolved.resolutionMs;
    this.slotCount = resolved.windowMs / resolved.resolutionMs;
    this.#maxBins = resolved.maxBins;
    this.#relativeAccuracy = resolved.relativeAccuracy;
    this.#epochs = new Float64Array(this.slotCount).fill(Number.NEGATIVE_INFINITY);
    this.#counts = new Float64Array(this.slotCount);
    this.#mins = new Float64Array(this.slotCount);
    this.#maxes = new Float64Array(this.slotCount);
    this.#sketches = new Array<Sketch | undefined>(this.slotCount).fill(undefined);
    this.#inTotal = new Uint8Array(this.slotCount);
    this.#readSlots = this.slotCount;
  }

  /**
   * Makes reads ({@link count}, {@link quantile}, {@link quantileOf}) take the last `spanMs` of the
   * window (rounded up to whole slots, at least one, at most the window): a window kept long and
   * read as far back as needed (admission's reach, class-windows.ts). The next read rebuilds its
   * total when the span changed. Returns the span read, ms.
   */
  readOver(spanMs: number): number {
    const slots = Math.min(this.slotCount, Math.max(1, Math.ceil(spanMs / this.resolutionMs)));
    if (slots !== this.#readSlots) {
      this.#readSlots = slots;
      this.#totalEpoch = Number.NaN;
      this.#counted.epoch = Number.NaN;
    }
    return slots * this.resolutionMs;
  }

  /** Samples in the last `spanMs` ending at `nowMs` (whole slots, as {@link readOver}), whatever the span read. */
  countOver(nowMs: number, spanMs: number): number {
    const slots = Math.min(this.slotCount, Math.max(1, Math.ceil(spanMs / this.resolutionMs)));
    return this.#countSlots(Math.floor(nowMs / this.resolutionMs), slots);
  }

  /**
   * Records one value ending at `endMs`, as {@link SlidingWindow.record} does: refused (false) for
   * a value that is negative, NaN or infinite, an end time that is not finite, and one older than
   * the window ending at the newest epoch seen. Never throws.
   */
  record(value: number, endMs: number): boolean {
    if (!(value >= 0 && value < Infinity) || !Number.isFinite(endMs)) return false;
    const epoch = Math.floor(endMs / this.resolutionMs);
    let index = this.#newestIndex;
    if (epoch !== this.#newestEpoch) {
      if (epoch <= this.#newestEpoch - this.slotCount) return false;
      index = epoch % this.slotCount;
      if (index < 0) index += this.slotCount;
      if (epoch > this.#newestEpoch) {
        this.#newestEpoch = epoch;
        this.#newestIndex = index;
      }
    }
    let sketch = this.#sketches[index];
    if (this.#epochs[index] !== epoch) sketch = this.#reuse(index, epoch);
    // `+ 0` turns -0 into 0, as the sliding window does.
    const sample = value + 0;
    sketch!.accept(sample);
    this.#counts[index]!++;
    if (sample < this.#mins[index]!) this.#mins[index] = sample;
    if (sample > this.#maxes[index]!) this.#maxes[index] = sample;
    this.#recorded++;
    if (this.#tracking && this.#inTotal[index] === 1) this.#total!.accept(sample);
    return true;
  }

  /** Samples in the window (the span read) ending at `nowMs` (the slot holding `nowMs` included, later ones not). */
  count(nowMs: number): number {
    const newest = Math.floor(nowMs / this.resolutionMs);
    const counted = this.#counted;
    if (counted.epoch === newest && counted.recorded === this.#recorded) return counted.count;
    const count = this.#countSlots(newest, this.#readSlots);
    counted.epoch = newest;
    counted.recorded = this.#recorded;
    counted.count = count;
    return count;
  }

  #countSlots(newest: number, slots: number): number {
    const oldest = newest - slots + 1;
    let count = 0;
    for (let index = 0; index < this.slotCount; index++) {
      const epoch = this.#epochs[index]!;
      if (epoch >= oldest && epoch <= newest) count += this.#counts[index]!;
    }
    return count;
  }

  /** The `q` quantile (0..1) of the window ending at `nowMs`; `undefined` without samples. */
  quantile(nowMs: number, q: number): number | undefined {
    const total = this.#bring(nowMs);
    if (total.count === 0) return undefined;
    return isFolded(total) ? valueAtQuantile(total, q) : valueAtQuantileOf([total], q);
  }

  /**
   * The `q` quantile of the samples of `windows` read together, each over its window ending at
   * `nowMs`, and how many there are; `undefined` without samples. The windows must share
   * `relativeAccuracy`: their totals are read as one (same bins), so the value is the one
   * {@link SlidingWindow.quantileOf} gives for the same samples.
   */
  static quantileOf(
    windows: readonly RunningWindow[],
    nowMs: number,
    q: number,
  ): { readonly value: number; readonly count: number } | undefined {
    const [first] = windows;
    if (first === undefined) return undefined;
    const totals = windows.map((window) => window.#bring(nowMs));
    const count = totals.reduce((sum, total) => sum + total.count, 0);
    if (count === 0) return undefined;
    if (!totals.some(isFolded)) return { value: valueAtQuantileOf(totals, q), count };
    // A folded total folds in its own order: merged, as a merge on read merges.
    const merged = createSketch(first.#relativeAccuracy, first.#maxBins);
    for (const total of totals) mergeSketchInto(merged, total);
    return { value: valueAtQuantile(merged, q), count };
  }

  /** The slot at `index` taken over by `epoch`: its old samples leave the total, it starts empty and in it. */
  #reuse(index: number, epoch: number): Sketch {
    let sketch = this.#sketches[index];
    if (sketch === undefined) {
      sketch = createSketch(this.#relativeAccuracy, this.#maxBins);
      this.#sketches[index] = sketch;
    } else {
      if (this.#inTotal[index] === 1 && this.#exact()) subtractSketchFrom(this.#total!, sketch);
      clearSketch(sketch, this.#maxBins);
    }
    // Not read for a whole window: stop following samples (the next read rebuilds the total).
    if (epoch - this.#readEpoch > this.slotCount) this.#tracking = false;
    this.#epochs[index] = epoch;
    this.#counts[index] = 0;
    this.#mins[index] = Number.POSITIVE_INFINITY;
    this.#maxes[index] = Number.NEGATIVE_INFINITY;
    this.#inTotal[index] = 1;
    this.#totalEpoch = Number.NaN;
    return sketch;
  }

  /** Whether the total holds its flagged slots' bins key by key (followed, and not folded). */
  #exact(): boolean {
    return this.#tracking && !isFolded(this.#total!);
  }

  /** The total brought to the window ending at `nowMs`, its min and max those of the slots in it. */
  #bring(nowMs: number): Sketch {
    const newest = Math.floor(nowMs / this.resolutionMs);
    this.#readEpoch = newest;
    if (newest === this.#totalEpoch && this.#exact()) return this.#total!;
    const oldest = newest - this.#readSlots + 1;
    const total = this.#exact() ? this.#reconcile(oldest, newest) : this.#rebuild(oldest, newest);
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let index = 0; index < this.slotCount; index++) {
      if (this.#inTotal[index] !== 1) continue;
      if (this.#mins[index]! < min) min = this.#mins[index]!;
      if (this.#maxes[index]! > max) max = this.#maxes[index]!;
    }
    // A subtraction cannot narrow them: they are those of the slots held.
    total.min = min;
    total.max = max;
    this.#totalEpoch = newest;
    this.#tracking = true;
    return total;
  }

  /** Takes the slots out of `oldest..newest` out of the total and puts those in it back. */
  #reconcile(oldest: number, newest: number): Sketch {
    const total = this.#total!;
    for (let index = 0; index < this.slotCount; index++) {
      const epoch = this.#epochs[index]!;
      // Positive test so a NaN nowMs selects nothing rather than everything.
      const wanted = epoch >= oldest && epoch <= newest ? 1 : 0;
      if (wanted === this.#inTotal[index]) continue;
      this.#inTotal[index] = wanted;
      if (wanted === 1) mergeSketchInto(total, this.#sketches[index]!);
      else subtractSketchFrom(total, this.#sketches[index]!);
    }
    // Emptied, it starts afresh: its key range recentred on the next samples.
    if (total.count === 0) clearSketch(total, this.#maxBins);
    return total;
  }

  /** The total made afresh of the slots of `oldest..newest`, merged in slot order. */
  #rebuild(oldest: number, newest: number): Sketch {
    this.#total ??= createSketch(this.#relativeAccuracy, this.#maxBins);
    const total = this.#total;
    clearSketch(total, this.#maxBins);
    for (let index = 0; index < this.slotCount; index++) {
      const epoch = this.#epochs[index]!;
      const wanted = epoch >= oldest && epoch <= newest ? 1 : 0;
      this.#inTotal[index] = wanted;
      if (wanted === 1) mergeSketchInto(total, this.#sketches[index]!);
    }
    return total;
  }
}
