// Adapter around @datadog/sketches-js 2.1.1: the window needs three things the library does not
// offer safely, so they live here, next to the workaround notes.
// - clear: the library has no reset; a slot reused by a newer epoch is cleared in place (public
//   fields only) so its bins array is reused instead of garbage every second.
// - merge: `DDSketch.merge` copies the bins into an empty target (allocation per query) and drops
//   a source store whose maxKey is 0, i.e. values near 1 ms (`secondKey = secondKey || key` in
//   `DenseStore._extendRange`, the bug fixed in sketches-py #58), leaving NaN bins. mergeSketchInto
//   sizes the target through the public `store.add`, then adds the source's bins in one loop.
// - quantiles are clamped to the exact [min, max] the sketch tracks, which can only reduce error.
import { LogCollapsingLowestDenseDDSketch } from '@datadog/sketches-js';

/** A DDSketch with a logarithmic mapping and a bounded store that collapses its lowest bins. */
export type Sketch = LogCollapsingLowestDenseDDSketch;

/** The store fields this adapter touches; `isCollapsed` exists on the collapsing store only. */
interface CollapsingStore {
  bins: number[];
  count: number;
  minKey: number;
  maxKey: number;
  offset: number;
  isCollapsed: boolean;
  add(key: number, weight?: number): void;
}

/** A new empty sketch; values at or below ~2e-308 count as zero, the store keeps `maxBins` bins. */
export function createSketch(relativeAccuracy: number, maxBins: number): Sketch {
  return new LogCollapsingLowestDenseDDSketch({ relativeAccuracy, binLimit: maxBins });
}

/**
 * Empties a sketch in place, keeping its bins array. The negative store is left alone: the window
 * never records negative values.
 */
export function clearSketch(sketch: Sketch, maxBins: number): void {
  const store = sketch.store as unknown as CollapsingStore;
  // Re-centering an emptied store on a far key can grow bins past the limit (`_shiftBins` pads by
  // the shift distance); drop such an array rather than keep it for every later epoch.
  if (store.bins.length > maxBins) store.bins.length = 0;
  // Only the key range holds counts (shifts pad with 0, collapses zero what they fold), except in
  // a collapsed store, whose bin 0 takes keys under its range.
  else if (store.count > 0 && !store.isCollapsed)
    store.bins.fill(0, store.minKey - store.offset, store.maxKey - store.offset + 1);
  else store.bins.fill(0);
  store.count = 0;
  store.minKey = Infinity;
  store.maxKey = -Infinity;
  store.isCollapsed = false;
  sketch.zeroCount = 0;
  sketch.count = 0;
  sketch.sum = 0;
  sketch.min = Infinity;
  sketch.max = -Infinity;
}

/** Adds `source`'s content to `target` (same accuracy and bin limit); `source` is unchanged. */
export function mergeSketchInto(target: Sketch, source: Sketch): void {
  if (source.count === 0) return;
  const from = source.store as unknown as CollapsingStore;
  if (from.count > 0) {
    const to = target.store as unknown as CollapsingStore;
    const { bins, offset, minKey, maxKey } = from;
    // Size the target's range once (collapsing it if needed); the loop then writes bins directly.
    // Keys below a collapsed target's minKey belong to its bin 0.
    widenRange(to, minKey, maxKey);
    const toBins = to.bins;
    const toOffset = to.offset;
    let added = 0;
    for (let key = minKey; key <= maxKey; key++) {
      const weight = bins[key - offset]!;
      if (weight === 0) continue;
      const index = key - toOffset;
      toBins[Math.max(index, 0)]! += weight;
      added += weight;
    }
    to.count += added;
  }
  target.zeroCount += source.zeroCount;
  target.count += source.count;
  target.sum += source.sum;
  if (source.min < target.min) target.min = source.min;
  if (source.max > target.max) target.max = source.max;
}

/**
 * Takes `source`'s content out of `target` (same accuracy and bin limit), the inverse of
 * {@link mergeSketchInto}: `target` must hold `source`'s samples (merged or accepted into it) and
 * must not have folded its lowest bins (`store.isCollapsed`), so each of `source`'s bins is a bin of
 * `target`'s range and counts subtract exactly. `min`, `max` and `sum` cannot be taken back: `min`
 * and `max` are left for the caller to set, `sum` loses float precision. `source` is unchanged.
 */
export function subtractSketchFrom(target: Sketch, source: Sketch): void {
  if (source.count === 0) return;
  const from = source.store as unknown as CollapsingStore;
  if (from.count > 0) {
    const to = target.store as unknown as CollapsingStore;
    const { bins, offset, minKey, maxKey } = from;
    const toBins = to.bins;
    const toOffset = to.offset;
    let removed = 0;
    for (let key = minKey; key <= maxKey; key++) {
      const weight = bins[key - offset]!;
      if (weight === 0) continue;
      toBins[key - toOffset]! -= weight;
      removed += weight;
    }
    to.count -= removed;
  }
  target.zeroCount -= source.zeroCount;
  target.count -= source.count;
  target.sum -= source.sum;
}

/**
 * Makes `store` hold keys `minKey..maxKey` besides its own. Where its bins array is long enough for
 * the union, the array stays: an empty store (bins all 0) is placed on the range, a store whose
 * range would leave the array has its bins moved within it, as DenseStore._centerBins places a
 * range (its middle key at the middle of the array). The library's `_extendRange` would copy the
 * whole array into new ones whenever a key falls under the current minimum, which for a window's
 * merge target (cleared before each merge) is nearly every merge (review16 L2: much of an
 * admission tick's garbage). Otherwise two zero-weight adds let the library grow or collapse it.
 */
function widenRange(store: CollapsingStore, minKey: number, maxKey: number): void {
  const { bins } = store;
  const empty = store.count === 0;
  const low = empty ? minKey : Math.min(minKey, store.minKey);
  const high = empty ? maxKey : Math.max(maxKey, store.maxKey);
  if (high - low + 1 > bins.length || store.isCollapsed) {
    store.add(minKey, 0);
    store.add(maxKey, 0);
    return;
  }
  if (low < store.offset || high >= store.offset + bins.length) {
    const offset = low + Math.floor((high - low + 1) / 2) - Math.floor(bins.length / 2);
    if (!empty) {
      // Move the held range [store.minKey, store.maxKey] to its place at the new offset.
      const from = store.minKey - store.offset;
      const to = store.minKey - offset;
      const size = store.maxKey - store.minKey + 1;
      bins.copyWithin(to, from, from + size);
      if (to > from) bins.fill(0, from, Math.min(to, from + size));
      else bins.fill(0, Math.max(to + size, from), from + size);
    }
    store.offset = offset;
  }
  store.minKey = low;
  store.maxKey = high;
}

/** The sketch's value at quantile `q` (0..1), clamped to [min, max]; NaN when empty. */
export function valueAtQuantile(sketch: Sketch, q: number): number {
  const value = sketch.getValueAtQuantile(q);
  if (value < sketch.min) return sketch.min;
  if (value > sketch.max) return sketch.max;
  return value;
}

/**
 * The value at quantile `q` (0..1) of `sketches` read together, clamped to their [min, max]: what
 * {@link valueAtQuantile} gives for their merge (a merge adds bins key by key, and so does this
 * walk), without writing a merge target; NaN when they are empty. The sketches must share
 * `relativeAccuracy`, hold no negative value and not have folded their lowest bins (see
 * {@link isFolded}). Like the library's `getValueAtQuantile`: the rank is `q * (count - 1)`, zeros
 * come first, then the first key whose running count exceeds the rank.
 */
export function valueAtQuantileOf(sketches: readonly Sketch[], q: number): number {
  let count = 0;
  let zeros = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const sketch of sketches) {
    count += sketch.count;
    zeros += sketch.zeroCount;
    if (sketch.min < min) min = sketch.min;
    if (sketch.max > max) max = sketch.max;
    const store = sketch.store as unknown as CollapsingStore;
    if (store.count === 0) continue;
    if (store.minKey < low) low = store.minKey;
    if (store.maxKey > high) high = store.maxKey;
  }
  if (count === 0) return Number.NaN;
  const rank = q * (count - 1);
  const value = rank < zeros ? 0 : sketches[0]!.mapping.value(keyAtRank(sketches, rank - zeros, low, high));
  return value < min ? min : value > max ? max : value;
}

/** {@link keyAtRank}'s sums for several sketches, grown as needed (reads never overlap: one thread). */
let summed = new Float64Array(512);

/** The first key of `low..high` whose count, summed over `sketches`, runs past `rank`; `high` if none. */
function keyAtRank(sketches: readonly Sketch[], rank: number, low: number, high: number): number {
  if (sketches.length === 1) {
    const { bins, offset } = sketches[0]!.store as unknown as CollapsingStore;
    let running = 0;
    for (let key = low; key <= high; key++) {
      running += bins[key - offset]!;
      if (running > rank) return key;
    }
    return high;
  }
  // Several: their bins summed key by key into one array (integers: exact in any order), then walked.
  const span = high - low + 1;
  if (summed.length < span) summed = new Float64Array(Math.max(span, summed.length * 2));
  summed.fill(0, 0, span);
  for (const sketch of sketches) {
    const { bins, offset, minKey, maxKey, count } = sketch.store as unknown as CollapsingStore;
    if (count === 0) continue;
    for (let key = minKey; key <= maxKey; key++) summed[key - low] += bins[key - offset]!;
  }
  let running = 0;
  for (let i = 0; i < span; i++) {
    running += summed[i]!;
    if (running > rank) return low + i;
  }
  return high;
}

/** Whether `sketch` folded its lowest bins (its keys spanned more than its bin limit). */
export function isFolded(sketch: Sketch): boolean {
  return (sketch.store as unknown as CollapsingStore).isCollapsed;
}
