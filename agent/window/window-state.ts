/**
 * The durable state of a sliding window as plain JSON-able data: its slots (epoch, counts and
 * DDSketch bins), exported incrementally (the slots changed since a cursor), and the checks a
 * slot passes on the way back.
 */
import { isFiniteNumber, isRecord } from '../durable-state.ts';

/** Version of {@link WindowState}; a state of another version is dropped whole. */
export const WINDOW_STATE_VERSION = 1;

/**
 * A DDSketch's exact content: its positive store's bins from `minKey` to `maxKey` (the rest are
 * zeros), where they sit (`offset`, `length` of the bins array, so that later samples collapse
 * and grow the store exactly as before), the zeros, sum and extremes.
 */
export interface SketchState {
  readonly offset: number;
  readonly length: number;
  /** Key of `bins[0]`; 0 when `bins` is empty. */
  readonly minKey: number;
  readonly bins: readonly number[];
  readonly zeroCount: number;
  /** Sum of the samples, ms. */
  readonly sum: number;
  /** Smallest and largest samples, ms. */
  readonly min: number;
  readonly max: number;
  /** Whether the store has collapsed its lowest bins (it keeps doing so). */
  readonly collapsed: boolean;
}

/** One slot of a window: the samples that ended in epoch `epoch` (`floor(endMs / resolutionMs)`). */
export interface SlotState {
  readonly epoch: number;
  readonly count: number;
  readonly errorCount: number;
  readonly sketch: SketchState;
}

/** What `SlidingWindow.exportState()` returns and `restoreState()` takes back. */
export interface WindowState {
  readonly version: typeof WINDOW_STATE_VERSION;
  /** The window's options: slots restore only into a window with the same ones. */
  readonly windowMs: number;
  readonly resolutionMs: number;
  readonly relativeAccuracy: number;
  /** Pass it to the next export to get only the slots changed after this one. */
  readonly cursor: number;
  /** Largest end time accepted, ms since the epoch; null before the first sample. */
  readonly lastRecordMs: number | null;
  /** The slots changed since the cursor given (all when none), oldest epoch first. */
  readonly slots: readonly SlotState[];
}

/** Whether an exported window state is of this version and was taken with these options. */
export function sameOptions(
  state: Record<string, unknown>,
  options: Pick<WindowState, 'windowMs' | 'resolutionMs' | 'relativeAccuracy'>,
): boolean {
  return (
    state.version === WINDOW_STATE_VERSION &&
    state.windowMs === options.windowMs &&
    state.resolutionMs === options.resolutionMs &&
    state.relativeAccuracy === options.relativeAccuracy
  );
}

/** Whether `value` is a slot with consistent counts (its sketch is checked by `restoreSketch` in sketch-state.ts). */
export function isSlotState(value: unknown): value is SlotState {
  return (
    isRecord(value) &&
    Number.isSafeInteger(value.epoch) &&
    isFiniteNumber(value.count) &&
    isFiniteNumber(value.errorCount) &&
    value.errorCount >= 0 &&
    value.errorCount <= value.count &&
    isRecord(value.sketch)
  );
}
