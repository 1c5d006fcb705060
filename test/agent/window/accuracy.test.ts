import { describe, expect, it } from 'vitest';
import { PERCENTILES, percentileValue, quantileOf, SlidingWindow } from '../../../agent/window/index.ts';
import { mulberry32, standardNormal } from '../../helpers/random.ts';

const SAMPLE_COUNT = 100_000;
const WINDOW_MS = 60_000;
const START_MS = 1_700_000_000_000; // a whole second, so the samples fill exactly 60 slots

type Draw = (next: () => number) => number;

const distributions: Record<string, Draw> = {
  'log-normal (median 50 ms, sigma 0.8)': (next) => 50 * Math.exp(0.8 * standardNormal(next)),
  'bimodal (90 % near 20 ms, 10 % near 400 ms)': (next) =>
    (next() < 0.9 ? 20 : 400) * Math.exp(0.1 * standardNormal(next)),
  'heavy-tailed (Pareto alpha 1.5, min 5 ms)': (next) => 5 / (1 - next()) ** (1 / 1.5),
};

/** The sketch's quantile definition: the sorted sample at rank floor(q * (n - 1)). */
function exactQuantile(sorted: Float64Array, q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

describe('SlidingWindow accuracy', () => {
  for (const [name, draw] of Object.entries(distributions)) {
    it(`should keep p50..p99.9 within 1 % of the exact quantiles for ${name}`, () => {
      const next = mulberry32(20_240_601);
      const window = new SlidingWindow({ windowMs: WINDOW_MS });
      const samples = new Float64Array(SAMPLE_COUNT);
      let accepted = 0;
      for (let i = 0; i < SAMPLE_COUNT; i++) {
        samples[i] = draw(next);
        const endMs = START_MS + (i * WINDOW_MS) / SAMPLE_COUNT; // spread over all 60 slots
        if (window.record(samples[i]!, false, endMs)) accepted++;
      }
      samples.sort();
      expect(accepted).toBe(SAMPLE_COUNT);

      const snapshot = window.snapshot(START_MS + WINDOW_MS - 1);

      expect(snapshot.count).toBe(SAMPLE_COUNT);
      expect(snapshot.minMs).toBe(samples[0]);
      expect(snapshot.maxMs).toBe(samples[SAMPLE_COUNT - 1]);
      for (const percentile of PERCENTILES) {
        const exact = exactQuantile(samples, quantileOf(percentile));
        const estimate = percentileValue(snapshot, percentile)!;
        expect(
          Math.abs(estimate - exact) / exact,
          `${percentile}: ${estimate} vs ${exact}`,
        ).toBeLessThanOrEqual(0.01);
      }
    });
  }

  for (const maxBins of [2048, 64]) {
    it(`should stay within 1 % when slots are reused across epochs of very different scales (maxBins ${maxBins})`, () => {
      const next = mulberry32(7);
      const window = new SlidingWindow({ windowMs: 2000, resolutionMs: 1000, maxBins });
      // Each round reuses both slots; scales far apart exercise clearing a sketch in place.
      for (const [round, medianMs] of [0.002, 80_000, 1, 0.5, 3_000, 0.001].entries()) {
        const samples: number[] = [];
        for (let i = 0; i < 2000; i++) {
          const value = medianMs * Math.exp(0.1 * standardNormal(next)); // fits in 64 bins
          samples.push(value);
          window.record(value, false, round * 2000 + i);
        }
        samples.sort((a, b) => a - b);
        const snapshot = window.snapshot(round * 2000 + 1999);
        expect(snapshot.count).toBe(2000);
        for (const percentile of PERCENTILES) {
          const exact = samples[Math.floor(quantileOf(percentile) * 1999)]!;
          const estimate = percentileValue(snapshot, percentile)!;
          expect(Math.abs(estimate - exact) / exact, `round ${round} ${percentile}`).toBeLessThanOrEqual(
            0.01,
          );
        }
      }
    });
  }

  it('should collapse the lowest bins, not the highest, when a merge exceeds maxBins', () => {
    const window = new SlidingWindow({ windowMs: 2000, maxBins: 64 });
    const samples: number[] = [];
    for (let i = 0; i < 100; i++) samples.push(1 + i / 1000); // slot 0, near key 0
    for (let i = 0; i < 100; i++) samples.push(5_000 + i * 50); // slot 1, ~430 keys higher
    samples.forEach((value, i) => {
      window.record(value, false, i < 100 ? 0 : 1000);
    });

    const snapshot = window.snapshot(1999);

    expect([snapshot.count, snapshot.minMs, snapshot.maxMs]).toStrictEqual([200, 1, 9_950]);
    for (const percentile of ['p90', 'p95', 'p99', 'p99.9'] as const) {
      const exact = samples[Math.floor(quantileOf(percentile) * 199)]!;
      expect(
        Math.abs(percentileValue(snapshot, percentile)! - exact) / exact,
        percentile,
      ).toBeLessThanOrEqual(0.01);
    }
    expect(snapshot.p50).toBeGreaterThan(1.1); // the low half was folded into the lowest kept bin
  });

  it('should merge slots whose values sit near 1 ms (sketches-js loses key 0 in its own merge)', () => {
    const window = new SlidingWindow({ windowMs: 10_000 });
    window.record(0.002, false, 0);
    window.record(0.002, false, 1000);
    window.record(1, false, 1000);
    window.record(1, false, 1000);

    const snapshot = window.snapshot(1999);

    expect(snapshot.count).toBe(4);
    expect(snapshot.p50).toBeCloseTo(0.002, 4);
    expect(Math.abs(snapshot.p90! - 1)).toBeLessThanOrEqual(0.01);
    expect(snapshot.maxMs).toBe(1);
  });
});
