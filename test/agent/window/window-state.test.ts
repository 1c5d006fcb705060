import { describe, expect, it } from 'vitest';
import { SlidingWindow } from '../../../agent/window/index.ts';
import { mulberry32 } from '../../helpers/random.ts';

/** A JSON round trip, as a store does. */
const throughJson = <T>(value: T): unknown => JSON.parse(JSON.stringify(value));

const START_MS = Date.UTC(2024, 0, 1);

/** Feeds `windows` the same samples: `perSecond` a second over `seconds` from `fromMs`, some late, some failed, zeros included. */
function feed(
  windows: SlidingWindow[],
  fromMs: number,
  seconds: number,
  seed: number,
  perSecond = 20,
): number {
  const next = mulberry32(seed);
  for (let second = 0; second < seconds; second++) {
    for (let i = 0; i < perSecond; i++) {
      const durationMs = i === 0 ? 0 : Math.exp(next() * 9);
      const endMs = fromMs + second * 1000 + Math.floor(next() * 1000) - (i === 1 ? 30_000 : 0);
      const isError = next() < 0.1;
      for (const window of windows) window.record(durationMs, isError, endMs);
    }
  }
  return fromMs + seconds * 1000;
}

/** Snapshots over the whole window and sub-windows at a few times around `nowMs`. */
function views(window: SlidingWindow, nowMs: number) {
  return [0, 500, 1000, 7000, 59_000].flatMap((aheadMs) =>
    [undefined, 1000, 10_000].map((lastMs) => window.snapshot(nowMs + aheadMs, lastMs)),
  );
}

describe('SlidingWindow state', () => {
  it('should judge exactly as the uninterrupted window once restored from a full then an incremental export', () => {
    const original = new SlidingWindow({ maxBins: 64 });
    let nowMs = feed([original], START_MS, 90, 1);
    const full = throughJson(original.exportState());
    nowMs = feed([original], nowMs, 12, 2);
    const cursor = (full as { cursor: number }).cursor;
    const incremental = original.exportState(cursor);
    // Only the slots changed since the full export: the 12 new seconds, and slots a late sample touched.
    expect(incremental.slots.length).toBeGreaterThanOrEqual(12);
    expect(incremental.slots.length).toBeLessThan(original.slotCount);
    const restored = new SlidingWindow({ maxBins: 64 });
    expect(restored.restoreState(full)).toEqual({ restored: 60, dropped: 0 });
    expect(restored.restoreState(throughJson(incremental))).toEqual({
      restored: incremental.slots.length,
      dropped: 0,
    });
    expect(views(restored, nowMs)).toEqual(views(original, nowMs));
    expect(restored.lastRecordMs).toBe(original.lastRecordMs);
    // Both go on alike, late samples included; the restored slots are not exported again.
    expect(restored.exportState().cursor).toBe(0);
    expect(restored.exportState(0).slots).toEqual([]);
    const marks = [original.exportState().cursor, restored.exportState().cursor] as const;
    nowMs = feed([original, restored], nowMs, 30, 3);
    expect(views(restored, nowMs)).toEqual(views(original, nowMs));
    // The same slots changed, to the same content (bins at the same places).
    expect(restored.exportState(marks[1]).slots).toEqual(original.exportState(marks[0]).slots);
  });

  it('should export only closed slots before closedAtMs, and the open one at the next export once closed', () => {
    const window = new SlidingWindow({ windowMs: 10_000 });
    window.record(5, false, START_MS + 100);
    window.record(6, false, START_MS + 1100); // the open slot at START_MS + 1500
    const first = window.exportState(0, START_MS + 1500);
    expect(first.slots.map((slot) => [slot.epoch, slot.count])).toEqual([[START_MS / 1000, 1]]);
    window.record(7, false, START_MS + 200); // a late sample after the open slot's last change
    const second = window.exportState(first.cursor, START_MS + 2000);
    expect(second.slots.map((slot) => [slot.epoch, slot.count])).toEqual([
      [START_MS / 1000, 2],
      [START_MS / 1000 + 1, 1],
    ]);
    expect(window.exportState(second.cursor, START_MS + 2000).slots).toEqual([]);
  });

  it('should export nothing for an empty window and restore its null last record time', () => {
    const empty = new SlidingWindow();
    const state = empty.exportState();
    expect(state).toEqual({
      version: 1,
      windowMs: 60_000,
      resolutionMs: 1000,
      relativeAccuracy: 0.01,
      cursor: 0,
      lastRecordMs: null,
      slots: [],
    });
    const restored = new SlidingWindow();
    expect(restored.restoreState(throughJson(state))).toEqual({ restored: 0, dropped: 0 });
    expect(restored.lastRecordMs).toBe(-Infinity);
  });

  it('should drop and count slots that do not fit, and whole states of other options or versions', () => {
    const original = new SlidingWindow({ maxBins: 64 });
    feed([original], START_MS, 5, 4);
    const state = original.exportState();
    for (const other of [
      { ...state, version: 2 },
      { ...state, resolutionMs: 500 },
      { ...state, slots: {} },
      'x',
    ]) {
      expect(new SlidingWindow({ maxBins: 64 }).restoreState(other)).toEqual({ restored: 0, dropped: 1 });
    }
    const [slot] = state.slots;
    const sketch = slot!.sketch;
    const bad = [
      null,
      { ...slot, epoch: 1.5 },
      { ...slot, errorCount: slot!.count + 1 },
      { ...slot, count: slot!.count + 1 },
      { ...slot, sketch: { ...sketch, bins: [-1] } },
      { ...sketch, bins: new Array(65).fill(1) },
      { ...slot, sketch: { ...sketch, min: null } },
      { ...slot, sketch: { ...sketch, sum: -1 } },
      { ...slot, sketch: { ...sketch, collapsed: 'no' } },
      { ...slot, epoch: slot!.epoch - 60 },
      { ...slot, sketch: { ...sketch, bins: new Array(65).fill(1) } },
    ];
    const restored = new SlidingWindow({ maxBins: 64 });
    expect(restored.restoreState({ ...state, slots: [...state.slots, ...bad] })).toEqual({
      restored: state.slots.length,
      dropped: bad.length,
    });
    expect(restored.snapshot(START_MS + 5000)).toEqual(original.snapshot(START_MS + 5000));
  });
});
