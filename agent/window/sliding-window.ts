import { isFiniteNumber, isRecord, type RestoreResult } from '../durable-state.ts';
import { clearSketch, createSketch, mergeSketchInto, type Sketch, valueAtQuantile } from './sketch.ts';
import { exportSketch, restoreSketch } from './sketch-state.ts';
import { EMPTY_LATENCIES, QUANTILES, type WindowSnapshot } from './types.ts';
import { resolveSlidingWindowOptions, type SlidingWindowOptions } from './window-options.ts';
import {
  isSlotState,
  type SlotState,
  sameOptions,
  WINDOW_STATE_VERSION,
  type WindowState,
} from './window-state.ts';

/** One merge target per sketch shape for {@link SlidingWindow.quantileOf} (reads never overlap: one thread). */
const pooledScratches: { relativeAccuracy: number; maxBins: number; sketch: Sketch }[] = [];

function pooledScratch(relativeAccuracy: number, maxBins: number): Sketch {
  for (const scratch of pooledScratches)
    if (scratch.relativeAccuracy === relativeAccuracy && scratch.maxBins === maxBins) return scratch.sketch;
  const sketch = createSketch(relativeAccuracy, maxBins);
  pooledScratches.push({ relativeAccuracy, maxBins, sketch });
  return sketch;
}

/**
 * Latency samples of one series over the last `windowMs`: a ring of `windowMs / resolutionMs`
 * slots, each a DDSketch plus sample and error counts. Slot of a sample = its epoch
 * (`floor(endTimeMs / resolutionMs)`) modulo the slot count; a slot reused by a newer epoch is
 * cleared on its first sample. Time is never read: callers pass end times and `nowMs`.
 * @example
 * const window = new SlidingWindow({ windowMs: 60_000 });
 * window.record(span.durationMs, span.isError, span.endTimeMs);
 * window.snapshot(clock.now()).p95;
 */
export class SlidingWindow {
  /** Span of the full window, in ms. */
  readonly windowMs: number;
  /** Span of one slot, in ms. */
  readonly resolutionMs: number;
  /** Number of slots (`windowMs / resolutionMs`). */
  readonly slotCount: number;
  readonly #maxBins: number;
  readonly #relativeAccuracy: number;
  // Slot state in parallel arrays so record() touches no per-slot object but the sketch.
  readonly #epochs: Float64Array;
  readonly #counts: Float64Array;
  readonly #errorCounts: Float64Array;
  readonly #sketches: (Sketch | undefined)[];
  /** The change count when each slot last changed: what an incremental export compares its cursor with. */
  readonly #changedAt: Float64Array;
  #changes = 0;
  // Reused by every snapshot(); a slot's sketch is created on the slot's first sample.
  readonly #scratch: Sketch;
  #newestEpoch = -Infinity;
  #newestIndex = 0;
  #lastRecordMs = -Infinity;
  #droppedInvalid = 0;
  #droppedLate = 0;
  /**
   * The last snapshot and what it was taken of: asked again for the same span with no sample
   * since (the evaluator, then the live view, in one tick), it is answered without merging again.
   */
  #memo: { nowMs: number; lastMs: number; changes: number; snapshot: WindowSnapshot } | undefined;

  /** @throws WindowOptionsError when an option is invalid (see {@link resolveSlidingWindowOptions}). */
  constructor(options: SlidingWindowOptions = {}) {
    const resolved = resolveSlidingWindowOptions(options);
    this.windowMs = resolved.windowMs;
    this.resolutionMs = resolved.resolutionMs;
    this.slotCount = resolved.windowMs / resolved.resolutionMs;
    this.#maxBins = resolved.maxBins;
    this.#relativeAccuracy = resolved.relativeAccuracy;
    this.#epochs = new Float64Array(this.slotCount).fill(-Infinity);
    this.#counts = new Float64Array(this.slotCount);
    this.#errorCounts = new Float64Array(this.slotCount);
    this.#sketches = new Array<Sketch | undefined>(this.slotCount).fill(undefined);
    this.#changedAt = new Float64Array(this.slotCount);
    this.#scratch = createSketch(resolved.relativeAccuracy, resolved.maxBins);
  }

  /** Samples refused because the duration was negative, NaN or infinite, or the end time not finite. */
  get droppedInvalid(): number {
    return this.#droppedInvalid;
  }

  /** Samples refused because they ended before the window of the newest sample seen. */
  get droppedLate(): number {
    return this.#droppedLate;
  }

  /** Largest end time accepted so far, in ms; `-Infinity` before the first sample. */
  get lastRecordMs(): number {
    return this.#lastRecordMs;
  }

  /**
   * Records one sample; never throws. Returns false, counting the reason, for a duration that is
   * negative, NaN or infinite or an end time that is not finite (`droppedInvalid`), and for an end
   * time older than the window ending at the newest epoch seen (`droppedLate`). Zero is valid.
   */
  record(durationMs: number, isError: boolean, endTimeMs: number): boolean {
    if (!(durationMs >= 0 && durationMs < Infinity) || !Number.isFinite(endTimeMs)) {
      this.#droppedInvalid++;
      return false;
    }
    const epoch = Math.floor(endTimeMs / this.resolutionMs);
    // Most samples land in the newest slot; its index is cached to skip a float modulo.
    let index = this.#newestIndex;
    if (epoch !== this.#newestEpoch) {
      if (epoch <= this.#newestEpoch - this.slotCount) {
        this.#droppedLate++;
        return false;
      }
      index = epoch % this.slotCount;
      if (index < 0) index += this.slotCount;
      if (epoch > this.#newestEpoch) {
        this.#newestEpoch = epoch;
        this.#newestIndex = index;
      }
    }
    let sketch = this.#sketches[index];
    if (this.#epochs[index] !== epoch) {
      if (sketch === undefined) sketch = this.#sketches[index] = this.#newSketch();
      else clearSketch(sketch, this.#maxBins);
      this.#epochs[index] = epoch;
      this.#counts[index] = 0;
      this.#errorCounts[index] = 0;
    }
    // accept() throws only for a weight <= 0 (default 1). `+ 0` turns -0 into 0 so minMs is never -0.
    sketch!.accept(durationMs + 0);
    this.#counts[index]!++;
    if (isError) this.#errorCounts[index]!++;
    this.#changedAt[index] = ++this.#changes;
    if (endTimeMs > this.#lastRecordMs) this.#lastRecordMs = endTimeMs;
    return true;
  }

  /**
   * Merges the slots whose epoch lies in the last `lastMs` ending at `nowMs` (the slot holding
   * `nowMs` included, slots after it excluded). `lastMs` is rounded up to whole slots and clamped
   * to [resolutionMs, windowMs]; omitted or NaN means the whole window. Allocates only the result.
   * @example window.snapshot(now, 10_000).p95 // p95 over the last 10 s, for recovery checks
   */
  snapshot(nowMs: number, lastMs: number = this.windowMs): WindowSnapshot {
    const memo = this.#memo;
    if (
      memo !== undefined &&
      memo.nowMs === nowMs &&
      memo.lastMs === lastMs &&
      memo.changes === this.#changes
    )
      return memo.snapshot;
    const snapshot = this.#merge(nowMs, lastMs);
    this.#memo = { nowMs, lastMs, changes: this.#changes, snapshot };
    return snapshot;
  }

  /**
   * The `q` quantile (0..1) of the samples of `windows` read together, each over its whole window
   * ending at `nowMs`, and how many there are; `undefined` without samples. The windows must share
   * `relativeAccuracy` and `maxBins`: their sketches are merged exactly (same bins), so the value
   * is the one a single window holding all those samples would give (unless their keys span more
   * than `maxBins`, where both fold their lowest bins, each in its own order). A window whose last
   * {@link snapshot} is of the same slots and still current is merged from it, not slot by slot
   * (admission reads a class alone, then the classes pooled, in one tick: review16 L2).
   */
  static quantileOf(
    windows: readonly SlidingWindow[],
    nowMs: number,
    q: number,
  ): { readonly value: number; readonly count: number } | undefined {
    const [first] = windows;
    if (first === undefined) return undefined;
    const merged = pooledScratch(first.#relativeAccuracy, first.#maxBins);
    clearSketch(merged, first.#maxBins);
    let count = 0;
    for (const window of windows) {
      const memo = window.#memo;
      // The slots a read takes depend on the epoch of `nowMs` only (a real clock moves between reads).
      const epoch = (ms: number) => Math.floor(ms / window.resolutionMs);
      const current = memo !== undefined && epoch(memo.nowMs) === epoch(nowMs);
      if (current && memo.lastMs === window.windowMs && memo.changes === window.#changes) {
        mergeSketchInto(merged, window.#scratch);
        count += memo.snapshot.count;
      } else count += window.#mergeSlots(merged, nowMs, window.slotCount).count;
    }
    return count === 0 ? undefined : { value: valueAtQuantile(merged, q), count };
  }

  #merge(nowMs: number, lastMs: number): WindowSnapshot {
    const spanSlots = this.#spanSlots(lastMs);
    const merged = this.#scratch;
    clearSketch(merged, this.#maxBins);
    const { count, errorCount } = this.#mergeSlots(merged, nowMs, spanSlots);
    const windowMs = spanSlots * this.resolutionMs;
    const counts = {
      windowMs,
      count,
      errorCount,
      errorRate: count === 0 ? 0 : errorCount / count,
      ratePerSecond: count / (windowMs / 1000),
    };
    if (count === 0) return { ...counts, ...EMPTY_LATENCIES };
    return {
      ...counts,
      p50: valueAtQuantile(merged, QUANTILES.p50),
      p90: valueAtQuantile(merged, QUANTILES.p90),
      p95: valueAtQuantile(merged, QUANTILES.p95),
      p99: valueAtQuantile(merged, QUANTILES.p99),
      p999: valueAtQuantile(merged, QUANTILES['p99.9']),
      minMs: merged.min,
      maxMs: merged.max,
    };
  }

  /**
   * Forgets every sample and frees the slots' sketches (its registry forgot the series: a handle
   * still holding it must not keep up to ~300 KB alive). Recording afterwards starts afresh.
   */
  release(): void {
    this.#memo = undefined;
    this.#sketches.fill(undefined);
    this.#epochs.fill(Number.NEGATIVE_INFINITY);
    this.#counts.fill(0);
    this.#errorCounts.fill(0);
    clearSketch(this.#scratch, this.#maxBins);
  }

  /**
   * The slots as JSON-able plain data, for a restart: all of them, or with `sinceCursor` (the
   * `cursor` of a previous export) only those changed since (incremental checkpoints: the closed
   * slots once, the filling one each time it changed). Slots older than the window are left out.
   * With `closedAtMs`, only the slots closed by then are exported (epoch before the one holding
   * `closedAtMs`): the returned cursor then stops before the open slot's last change, so the next
   * export still brings it once closed.
   */
  exportState(sinceCursor = 0, closedAtMs = Number.POSITIVE_INFINITY): WindowState {
    const slots: SlotState[] = [];
    const openEpoch = Math.floor(closedAtMs / this.resolutionMs);
    let cursor = this.#changes;
    for (let index = 0; index < this.slotCount; index++) {
      const epoch = this.#epochs[index]!;
      const sketch = this.#sketches[index];
      if (this.#changedAt[index]! <= sinceCursor || sketch === undefined) continue;
      if (epoch <= this.#newestEpoch - this.slotCount) continue;
      if (epoch >= openEpoch) {
        cursor = Math.min(cursor, this.#changedAt[index]! - 1);
        continue;
      }
      slots.push({
        epoch,
        count: this.#counts[index]!,
        errorCount: this.#errorCounts[index]!,
        sketch: exportSketch(sketch),
      });
    }
    slots.sort((a, b) => a.epoch - b.epoch);
    return {
      version: WINDOW_STATE_VERSION,
      windowMs: this.windowMs,
      resolutionMs: this.resolutionMs,
      relativeAccuracy: this.#relativeAccuracy,
      cursor,
      lastRecordMs: Number.isFinite(this.#lastRecordMs) ? this.#lastRecordMs : null,
      slots,
    };
  }

  /**
   * Takes back exported slots (a full export, then incremental ones in order): a slot replaces
   * one of an older or the same epoch. Never throws: a malformed slot, one older than the window,
   * and a state of another version or other options (all its slots) are dropped and counted.
   * Restored slots count as unchanged for the next incremental export.
   */
  restoreState(state: unknown): RestoreResult {
    return this.#takeState(state, false);
  }

  /**
   * Adds exported slots holding other samples of the same series (a cluster worker's delta) to
   * this window: a slot of an epoch held adds its counts and merges its sketch (exactly: same
   * mapping, bins added), one of a newer epoch replaces the older slot. Never throws: a malformed
   * slot or one older than the window is dropped and counted, as is a whole state of another
   * version or other options. Merged slots count as changed for the next incremental export.
   */
  mergeState(state: unknown): RestoreResult {
    return this.#takeState(state, true);
  }

  #takeState(state: unknown, merge: boolean): RestoreResult {
    this.#memo = undefined;
    const options = {
      windowMs: this.windowMs,
      resolutionMs: this.resolutionMs,
      relativeAccuracy: this.#relativeAccuracy,
    };
    if (!isRecord(state) || !Array.isArray(state.slots) || !sameOptions(state, options)) {
      return { restored: 0, dropped: 1 };
    }
    let restored = 0;
    for (const slot of state.slots) if (this.#takeSlot(slot, merge)) restored++;
    if (isFiniteNumber(state.lastRecordMs) && state.lastRecordMs > this.#lastRecordMs) {
      this.#lastRecordMs = state.lastRecordMs;
    }
    return { restored, dropped: state.slots.length - restored };
  }

  #takeSlot(slot: unknown, merge: boolean): boolean {
    if (!isSlotState(slot) || slot.epoch <= this.#newestEpoch - this.slotCount) return false;
    const sketch = restoreSketch(slot.sketch, this.#relativeAccuracy, this.#maxBins);
    let index = slot.epoch % this.slotCount;
    if (index < 0) index += this.slotCount;
    if (sketch === undefined || sketch.count !== slot.count || this.#epochs[index]! > slot.epoch)
      return false;
    const held = this.#sketches[index];
    if (merge && held !== undefined && this.#epochs[index] === slot.epoch) {
      mergeSketchInto(held, sketch);
      this.#counts[index]! += slot.count;
      this.#errorCounts[index]! += slot.errorCount;
    } else {
      this.#epochs[index] = slot.epoch;
      this.#counts[index] = slot.count;
      this.#errorCounts[index] = slot.errorCount;
      this.#sketches[index] = sketch;
    }
    this.#changedAt[index] = merge ? ++this.#changes : 0;
    if (slot.epoch > this.#newestEpoch) {
      this.#newestEpoch = slot.epoch;
      this.#newestIndex = index;
    }
    return true;
  }

  /** Adds the slots of the last `spanSlots` ending at `nowMs` to `target`; their sample and error counts. */
  #mergeSlots(target: Sketch, nowMs: number, spanSlots: number): { count: number; errorCount: number } {
    const newestEpoch = Math.floor(nowMs / this.resolutionMs);
    const oldestEpoch = newestEpoch - spanSlots + 1;
    let count = 0;
    let errorCount = 0;
    for (let index = 0; index < this.slotCount; index++) {
      const epoch = this.#epochs[index]!;
      // Positive test so a NaN nowMs selects nothing rather than everything.
      if (!(epoch >= oldestEpoch && epoch <= newestEpoch)) continue;
      count += this.#counts[index]!;
      errorCount += this.#errorCounts[index]!;
      mergeSketchInto(target, this.#sketches[index]!);
    }
    return { count, errorCount };
  }

  #spanSlots(lastMs: number): number {
    if (Number.isNaN(lastMs)) return this.slotCount;
    return Math.min(this.slotCount, Math.max(1, Math.ceil(lastMs / this.resolutionMs)));
  }

  #newSketch(): Sketch {
    return createSketch(this.#relativeAccuracy, this.#maxBins);
  }
}
