import { describe, expect, it } from 'vitest';
import { HistoryRing } from '../../view/history-ring.ts';

const point = (p95: number, count = 10) => ({ p50: p95 / 2, p95, p99: p95 * 2, budgetMs: 200, count });

describe('HistoryRing', () => {
  it('should hold 44 bytes per point in typed arrays (3960 bytes for the default 90 points)', () => {
    expect(HistoryRing.bytesFor(90)).toBe(3960);
    expect(new HistoryRing(90, 10_000).bytes).toBe(3960);
    expect(new HistoryRing(1, 1000).bytes).toBe(44);
  });

  it('should read nothing before the first write', () => {
    expect(new HistoryRing(3, 1000).read(5)).toEqual({
      atMs: [],
      p50: [],
      p95: [],
      p99: [],
      budgetMs: [],
      count: [],
    });
  });

  it('should read the steps from the first write to the asked step, with null for steps never written', () => {
    const ring = new HistoryRing(5, 1000);
    ring.write(10, point(100));
    ring.write(12, point(120, 3));
    expect(ring.read(13)).toEqual({
      atMs: [10_000, 11_000, 12_000, 13_000],
      p50: [50, null, 60, null],
      p95: [100, null, 120, null],
      p99: [200, null, 240, null],
      budgetMs: [200, null, 200, null],
      count: [10, null, 3, null],
    });
  });

  it('should keep values the window did not have as null, and the count as written', () => {
    const ring = new HistoryRing(2, 1000);
    ring.write(1, { p50: undefined, p95: undefined, p99: undefined, budgetMs: undefined, count: 0 });
    expect(ring.read(1)).toEqual({
      atMs: [1000],
      p50: [null],
      p95: [null],
      p99: [null],
      budgetMs: [null],
      count: [0],
    });
  });

  it('should wrap around: the newest capacity steps stay, older ones are overwritten', () => {
    const ring = new HistoryRing(3, 1000);
    for (let step = 0; step < 7; step++) ring.write(step, point(step + 1));
    expect(ring.read(6).atMs).toEqual([4000, 5000, 6000]);
    expect(ring.read(6).p95).toEqual([5, 6, 7]);
    // Asked further on, the reach moves and steps beyond it are gaps.
    expect(ring.read(8)).toMatchObject({ atMs: [6000, 7000, 8000], p95: [7, null, null] });
    expect(ring.read(9).atMs).toEqual([]);
  });

  it('should ignore a write for a step not after the newest one (a tick replayed or out of order)', () => {
    const ring = new HistoryRing(3, 1000);
    ring.write(5, point(50));
    ring.write(5, point(999));
    ring.write(4, point(999));
    expect(ring.read(5).p95).toEqual([50]);
  });

  it('should clamp counts to the Uint32 range', () => {
    const ring = new HistoryRing(2, 1000);
    ring.write(0, point(1, -5));
    ring.write(1, point(1, 2 ** 40));
    expect(ring.read(1).count).toEqual([0, 0xffff_ffff]);
  });
});
