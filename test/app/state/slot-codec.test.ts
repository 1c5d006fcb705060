import { describe, expect, it } from 'vitest';
import { SlidingWindow } from '../../../agent/window/index.ts';
import { packSlot, unpackSlot } from '../../../app/state/slot-codec.ts';

const START_MS = Date.UTC(2026, 0, 1);

describe('slot codec', () => {
  it('should give back exactly the slot packed, runs of empty bins included', () => {
    const window = new SlidingWindow({ maxBins: 64 });
    for (const ms of [0, 0.5, 20, 20.4, 80, 1e6]) window.record(ms, ms === 80, START_MS + 10);
    const [slot] = window.exportState().slots;
    const packed = JSON.parse(JSON.stringify(packSlot(slot!)));
    expect(packed[6].some((weight: number) => weight < 0)).toBe(true);
    expect(unpackSlot(packed)).toEqual(slot);
  });

  it('should refuse what is not a packed slot, and a run of empty bins past the bound', () => {
    const slot = [1, 1, 0, 0, 1, 0, [1], 0, 1, 1, 1, 0];
    expect(unpackSlot(slot)?.sketch.bins).toEqual([1]);
    for (const bad of [null, {}, [1, 2], [...slot.slice(0, 6), 'x', ...slot.slice(7)]])
      expect(unpackSlot(bad)).toBeUndefined();
    expect(unpackSlot([...slot.slice(0, 6), ['x'], ...slot.slice(7)])).toBeUndefined();
    expect(unpackSlot([...slot.slice(0, 6), [-1e9], ...slot.slice(7)])).toBeUndefined();
  });
});
