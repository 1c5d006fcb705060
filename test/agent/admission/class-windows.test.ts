import { describe, expect, it } from 'vitest';
import { ClassWindows, type PoolName } from '../../../agent/admission/class-windows.ts';
import { CRITICALITIES, type Criticality, criticalityRank } from '../../../agent/admission/criticality.ts';
import { ManualClock } from '../../../agent/clock.ts';
import { PERCENTILE_FIELDS, PERCENTILES, QUANTILES, SlidingWindow } from '../../../agent/window/index.ts';
import { mulberry32, standardNormal } from '../../helpers/random.ts';

const POOLS: readonly PoolName[] = ['SHEDDABLE', 'SHEDDABLE_PLUS', 'CRITICAL'];

/**
 * The reads of the windows before issue 15: one SlidingWindow per class, each read merging its slot
 * sketches, a pool merging its classes' windows (SlidingWindow.quantileOf).
 */
class MergedOnRead {
  readonly #windows = new Map<Criticality, SlidingWindow>();
  readonly #windowMs: number;
  readonly #resolutionMs: number;

  constructor(windowMs: number, resolutionMs: number) {
    this.#windowMs = windowMs;
    this.#resolutionMs = resolutionMs;
  }

  record(criticality: Criticality, ratio: number, endMs: number): void {
    let window = this.#windows.get(criticality);
    if (window === undefined) {
      window = new SlidingWindow({ windowMs: this.#windowMs, resolutionMs: this.#resolutionMs });
      this.#windows.set(criticality, window);
    }
    window.record(ratio, false, endMs);
  }

  reads(nowMs: number) {
    const classes = CRITICALITIES.map((c) => {
      const snapshot = this.#windows.get(c)?.snapshot(nowMs);
      const samples = snapshot?.count ?? 0;
      const ratios = PERCENTILES.map((p) => (samples === 0 ? undefined : snapshot![PERCENTILE_FIELDS[p]]));
      return { samples, ratios };
    });
    const pools = POOLS.map((pool) => {
      const members = [...this.#windows].filter(([c]) => criticalityRank(c) > criticalityRank(pool));
      return PERCENTILES.map((p) => {
        const read = SlidingWindow.quantileOf(
          members.map(([, w]) => w),
          nowMs,
          QUANTILES[p],
        );
        return read === undefined ? undefined : { ratio: read.value, samples: read.count };
      });
    });
    return { classes, pools };
  }
}

function readsOf(windows: ClassWindows) {
  const classes = CRITICALITIES.map((c) => ({
    samples: windows.count(c),
    ratios: PERCENTILES.map((p) => windows.read(c, p)?.ratio),
  }));
  const pools = POOLS.map((pool) => PERCENTILES.map((p) => windows.readPool(pool, p)));
  return { classes, pools };
}

describe('ClassWindows reads (issue 15, review16 L2: a running total per class, no merge of slot sketches per read)', () => {
  it.each([
    [3000, 1000, 31],
    [1500, 500, 32],
    [10_000, 1000, 33],
  ])(
    'should count and read every class and pool as the windows merged on read did (%i ms window, %i ms slots, seed %i), tick after tick',
    (windowMs, resolutionMs, seed) => {
      const next = mulberry32(seed);
      const clock = new ManualClock(Date.UTC(2026, 0, 1));
      const windows = new ClassWindows(windowMs, clock);
      const reference = new MergedOnRead(windowMs, resolutionMs);
      let compared = 0;
      for (let tick = 0; tick < 150; tick++) {
        // Mostly one tick a second; now and then a pause longer than the window (everything leaves).
        clock.advance(next() < 0.05 ? windowMs * 3 : 250 + Math.floor(next() * 1000));
        const nowMs = clock.now();
        for (const criticality of CRITICALITIES) {
          if (next() < 0.15) continue; // a class without samples this tick
          const median = criticality === 'CRITICAL' && tick % 40 > 30 ? 1.6 : 0.5;
          const samples = Math.floor(next() * 25);
          for (let s = 0; s < samples; s++) {
            const ratio = next() < 0.02 ? 0 : median * Math.exp(0.4 * standardNormal(next));
            // Late, on time, one slot ahead, or outside the window (refused by both).
            const endMs = nowMs - Math.floor(next() * (windowMs + 500)) + (next() < 0.05 ? resolutionMs : 0);
            if (windows.record(criticality, ratio, endMs)) reference.record(criticality, ratio, endMs);
          }
        }
        expect(readsOf(windows)).toEqual(reference.reads(nowMs));
        // Read again later in the tick (the same slot of now, then the next).
        clock.advance(Math.floor(next() * resolutionMs));
        expect(readsOf(windows)).toEqual(reference.reads(clock.now()));
        compared += 2;
      }
      expect(compared).toBe(300);
    },
  );

  it('should read nothing without samples, a class of one sample as that sample, and nothing once it left the window', () => {
    const clock = new ManualClock(10_000);
    const windows = new ClassWindows(3000, clock);
    const empty = { samples: 0, ratios: PERCENTILES.map(() => undefined) };
    expect(readsOf(windows)).toEqual({
      classes: CRITICALITIES.map(() => empty),
      pools: POOLS.map(() => PERCENTILES.map(() => undefined)),
    });
    expect(windows.record('CRITICAL', 0.8, 10_000)).toBe(true);
    expect(windows.read('CRITICAL', 'p95')).toEqual({ ratio: 0.8, samples: 1 });
    expect(windows.readPool('SHEDDABLE', 'p50')).toEqual({ ratio: 0.8, samples: 1 });
    expect(windows.readPool('CRITICAL', 'p50')).toBeUndefined();
    clock.advance(2999);
    expect(windows.count('CRITICAL')).toBe(1);
    clock.advance(1);
    expect(windows.count('CRITICAL')).toBe(0);
    expect(windows.read('CRITICAL', 'p95')).toBeUndefined();
    expect(windows.readPool('SHEDDABLE', 'p95')).toBeUndefined();
  });
});
