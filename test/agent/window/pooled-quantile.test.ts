import { describe, expect, it } from 'vitest';
import { PERCENTILES, QUANTILES, SlidingWindow } from '../../../agent/window/index.ts';
import { mulberry32, standardNormal } from '../../helpers/random.ts';

const START_MS = 1_700_000_000_000;

/** Per window, a log-normal around its own median (wide apart: merges extend and re-centre ranges). */
const MEDIANS = [0.4, 1.6, 25, 0.003];

/** Windows of `windowMs`, each fed seeded samples spread over `seconds` seconds ending at `nowMs`; the samples too. */
function fed(options: { windowMs: number }, seconds: number, perSecond: number) {
  const next = mulberry32(20_261_130);
  const windows = MEDIANS.map(() => new SlidingWindow(options));
  const samples = MEDIANS.map((): [number, number][] => []);
  for (let s = 0; s < seconds; s++)
    windows.forEach((window, w) => {
      for (let i = 0; i < perSecond; i++) {
        const value = MEDIANS[w]! * Math.exp(0.6 * standardNormal(next));
        const endMs = START_MS + s * 1000 + ((i * 37) % 1000);
        window.record(value, false, endMs);
        samples[w]!.push([value, endMs]);
      }
    });
  return { windows, samples, nowMs: START_MS + seconds * 1000 - 1 };
}

describe('SlidingWindow.quantileOf: several windows read together (review16 L2)', () => {
  it.each([
    ['3 s of 1 s slots, 5 s fed', { windowMs: 3000 }, 5],
    ['60 s, samples only in the last 20', { windowMs: 60_000 }, 20],
  ])(
    'should give exactly the quantiles and count of one window holding every sample: %s',
    (_, options, seconds) => {
      const { windows, samples, nowMs } = fed(options, seconds, 40);
      for (const members of [[0], [0, 1], [1, 2, 3], [0, 1, 2, 3]]) {
        const reference = new SlidingWindow(options);
        for (const m of members)
          for (const [value, endMs] of samples[m]!) reference.record(value, false, endMs);
        const snapshot = reference.snapshot(nowMs);
        const subset = members.map((m) => windows[m]!);
        expect(PERCENTILES.map((p) => SlidingWindow.quantileOf(subset, nowMs, QUANTILES[p]))).toEqual(
          PERCENTILES.map((p) => ({ value: snapshot[p === 'p99.9' ? 'p999' : p], count: snapshot.count })),
        );
      }
    },
  );

  it('should read a window from its current snapshot as from its slots, and never from a stale one', () => {
    const { windows, nowMs } = fed({ windowMs: 3000 }, 3, 30);
    const fromSlots = SlidingWindow.quantileOf(windows, nowMs, 0.95);
    windows[1]!.snapshot(nowMs); // current: merged from it
    expect(SlidingWindow.quantileOf(windows, nowMs, 0.95)).toEqual(fromSlots);
    windows[2]!.snapshot(nowMs - 2000); // of other slots: merged slot by slot
    expect(SlidingWindow.quantileOf(windows, nowMs, 0.95)).toEqual(fromSlots);
    windows[1]!.snapshot(nowMs);
    windows[1]!.record(1e6, false, nowMs); // a sample since: the snapshot is stale
    const after = SlidingWindow.quantileOf(windows, nowMs, 1);
    expect(after?.count).toBe((fromSlots?.count ?? 0) + 1);
    expect(Math.abs((after?.value ?? 0) - 1e6) / 1e6).toBeLessThanOrEqual(0.01);
  });

  it('should read nothing from no window or windows without samples in the span', () => {
    const { windows, nowMs } = fed({ windowMs: 3000 }, 1, 10);
    expect(SlidingWindow.quantileOf([], nowMs, 0.5)).toBeUndefined();
    expect(SlidingWindow.quantileOf(windows, nowMs + 10_000, 0.5)).toBeUndefined();
    expect(SlidingWindow.quantileOf([new SlidingWindow({ windowMs: 3000 })], nowMs, 0.5)).toBeUndefined();
  });
});
