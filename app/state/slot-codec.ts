/**
 * Window slots in a compact stored form: an array instead of an object (no field names), and the
 * sketch's bins with each run of empty bins as one negative number (-n: n empty bins). A slot of
 * 10 samples over 80 bins shrinks from about 370 to about 120 characters, which is what a
 * checkpoint spends its time on (JSON and SQLite both scale with it).
 */
import type { Series } from '../../agent/index.ts';

type Slot = ReturnType<Series['window']['exportState']>['slots'][number];

/** [epoch, count, errorCount, offset, length, minKey, bins, zeroCount, sum, min, max, collapsed 0/1]. */
export type PackedSlot = [
  number,
  number,
  number,
  number,
  number,
  number,
  number[],
  number,
  number,
  number,
  number,
  0 | 1,
];

/** Most bins an unpacked slot may have: a corrupt run length must not allocate without bound. */
const MAX_BINS = 65_536;

export function packSlot(slot: Slot): PackedSlot {
  const { offset, length, minKey, bins, zeroCount, sum, min, max, collapsed } = slot.sketch;
  const packed: number[] = [];
  let zeros = 0;
  for (const weight of bins) {
    if (weight === 0) {
      zeros++;
      continue;
    }
    if (zeros > 0) packed.push(-zeros);
    zeros = 0;
    packed.push(weight);
  }
  if (zeros > 0) packed.push(-zeros);
  return [
    slot.epoch,
    slot.count,
    slot.errorCount,
    offset,
    length,
    minKey,
    packed,
    zeroCount,
    sum,
    min,
    max,
    collapsed ? 1 : 0,
  ];
}

/** The slot of a packed one; `undefined` when it is not one (the window's restore checks the rest). */
export function unpackSlot(value: unknown): Slot | undefined {
  if (!Array.isArray(value) || value.length !== 12 || !Array.isArray(value[6])) return undefined;
  const [epoch, count, errorCount, offset, length, minKey, packed, zeroCount, sum, min, max, collapsed] =
    value;
  const bins: number[] = [];
  for (const item of packed as unknown[]) {
    if (typeof item !== 'number') return undefined;
    if (item >= 0) bins.push(item);
    else for (let i = 0; i < -item && bins.length <= MAX_BINS; i++) bins.push(0);
  }
  if (bins.length > MAX_BINS) return undefined;
  const sketch = { offset, length, minKey, bins, zeroCount, sum, min, max, collapsed: collapsed === 1 };
  return { epoch, count, errorCount, sketch } as Slot;
}
