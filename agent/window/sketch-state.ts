/**
 * A DDSketch's content as plain data and back. Apart from window-state.ts so that the declarations
 * of the window's state (reachable from the public types) never import @datadog/sketches-js, whose
 * shipped declarations do not type-check with `skipLibCheck: false`.
 */
import { isFiniteNumber, isNumberArray, isRecord } from '../durable-state.ts';
import { createSketch, type Sketch } from './sketch.ts';
import type { SketchState } from './window-state.ts';

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
