/**
 * The durable state of a sliding window as plain JSON-able data: its slots (epoch, counts and
 * DDSketch bins), exported incrementally (the slots changed since a cursor), and the checks a
 * slot passes on the way back.
 */
import { isFiniteNumber, isNumberArray, isRecord } from '../durable-state.ts';
import { createSketch, type Sketch } from './sketch.ts';

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

interface DenseStore {
  bins: number[];
  offset: number;
  minKey: number;
  maxKey: number;
  count: number;
  isCollapsed: boolean;
  add(key: number, weight?: number): void;
}

/** Most bins a restored store may hold, as a multiple of its limit (a re-centred store may exceed it). */
const MAX_LENGTH_FACTOR = 16;

/** The content of `sketch`. */
export function exportSketch(sketch: Sketch): SketchState {
  const store = sketch.store as unknown as DenseStore;
  const { zeroCount, sum, min, max } = sketch;
  const { offset, isCollapsed: collapsed } = store;
  const length = store.bins.length;
  const empty = store.count === 0;
  const minKey = empty ? 0 : store.minKey;
  const bins = empty ? [] : store.bins.slice(store.minKey - offset, store.maxKey - offset + 1);
  return { offset, length, minKey, bins, zeroCount, sum, min, max, collapsed };
}

/** A sketch with `state`'s content; `undefined` when the state is malformed. */
export function restoreSketch(state: unknown, relativeAccuracy: number, maxBins: number): Sketch | undefined {
  if (!isSketchState(state, maxBins)) return undefined;
  const sketch = createSketch(relativeAccuracy, maxBins);
  const store = sketch.store as unknown as DenseStore;
  const bins = new Array<number>(state.length).fill(0);
  const from = state.minKey - state.offset;
  state.bins.forEach((weight, i) => {
    bins[from + i] = weight;
  });
  const count = state.bins.reduce((sum, weight) => sum + weight, 0);
  Object.assign(store, { bins, offset: state.offset, count, isCollapsed: state.collapsed });
  store.minKey = count === 0 ? Infinity : state.minKey;
  store.maxKey = count === 0 ? -Infinity : state.minKey + state.bins.length - 1;
  Object.assign(sketch, { zeroCount: state.zeroCount, count: count + state.zeroCount, sum: state.sum });
  Object.assign(sketch, { min: state.min, max: state.max });
  return sketch;
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

/** Whether `value` is a slot with consistent counts (its sketch is checked by {@link restoreSketch}). */
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

function isSketchState(value: unknown, maxBins: number): value is SketchState {
  if (!isRecord(value) || typeof value.collapsed !== 'boolean' || !isNumberArray(value.bins, 0)) return false;
  const { offset, length, minKey, bins } = value;
  if (![offset, length, minKey].every(Number.isSafeInteger)) return false;
  const from = (minKey as number) - (offset as number);
  const fits =
    from >= 0 &&
    from + bins.length <= (length as number) &&
    (length as number) <= MAX_LENGTH_FACTOR * maxBins;
  const finite = [value.zeroCount, value.sum].every((item) => isFiniteNumber(item) && item >= 0);
  return fits && finite && isFiniteNumber(value.min) && isFiniteNumber(value.max);
}
