import { describe, expect, it } from 'vitest';
import { QUANTILES, RunningWindow, SlidingWindow } from '../../../agent/window/index.ts';
import { mulberry32, standardNormal } from '../../helpers/random.ts';

const FIELDS = ['p50', 'p90', 'p95', 'p99', 'p999'] as const;
const Q = [QUANTILES.p50, QUANTILES.p90, QUANTILES.p95, QUANTILES.p99, QUANTILES['p99.9']];

/** What the running window answers at `nowMs`, in the shape of the sliding window's merge on read. */
function runningRead(window: RunningWindow, nowMs: number) {
  return { count: window.count(nowMs), values: Q.map((q) => window.quantile(nowMs, q)) };
}

function mergedRead(window: SlidingWindow, nowMs: number) {
  const snapshot = window.snapshot(nowMs);
  return {
    count: snapshot.count,
    values: FIELDS.map((field) => (snapshot.count === 0 ? undefined : snapshot[field])),
  };
}

/** A running and a sliding window of the same shape fed the same samples. */
function pair(windowMs: number, resolutionMs = 1000) {
  const running = new RunningWindow({ windowMs, resolutionMs });
  const sliding = new SlidingWindow({ windowMs, resolutionMs });
  return {
    running,
    sliding,
    record(value: number, endMs: number) {
      const accepted = running.record(value, endMs);
      expect(sliding.record(value, false, endMs)).toBe(accepted);
      return accepted;
    },
    expectSame(nowMs: number) {
      expect(runningRead(running, nowMs)).toEqual(mergedRead(sliding, nowMs));
    },
  };
}

describe('RunningWindow (issue 15, review16 L2: no merge of slot sketches per read)', () => {
  it.each([
    [3000, 1000, 11],
    [1500, 500, 12],
    [60_000, 1000, 13],
  ])(
    'should answer every quantile and count as the sliding window merging on read (%i ms window, %i ms slots, seed %i), tick after tick',
    (windowMs, resolutionMs, seed) => {
      const next = mulberry32(seed);
      const { record, expectSame } = pair(windowMs, resolutionMs);
      const startMs = Date.UTC(2026, 0, 1);
      let nowMs = startMs;
      let reads = 0;
      for (let tick = 0; tick < 400; tick++) {
        // Bursts, quiet ticks and gaps longer than the window; ratios log-normal around 0.5, some 0.
        const step = next() < 0.05 ? windowMs * 2 : Math.round(next() * 1500);
        nowMs += step;
        const samples = next() < 0.2 ? 0 : Math.floor(next() * 40);
        for (let s = 0; s < samples; s++) {
          const value = next() < 0.02 ? 0 : 0.5 * Math.exp(standardNormal(next));
          // Late (up to a window and a slot back: some refused), on time, or one slot ahead.
          const endMs =
            nowMs - Math.floor(next() * (windowMs + resolutionMs)) + (next() < 0.05 ? resolutionMs : 0);
          record(value, endMs);
        }
        expectSame(nowMs);
        // Reads between ticks, in the same slot and the next ones.
        expectSame(nowMs + Math.floor(next() * resolutionMs * 2));
        reads += 2;
      }
      expect(reads).toBe(800);
    },
  );

  it('should read the last span it is set to (readOver) as the sliding window reads that span, narrowed and widened between reads (review15f H3)', () => {
    const { running, sliding, record } = pair(30_000);
    const next = mulberry32(31);
    const spans = [3000, 30_000, 6000, 6000, 15_000, 1, 45_000, 3000];
    let nowMs = 100_000;
    for (let tick = 0; tick < 120; tick++) {
      nowMs += 1000;
      for (let s = 0; s < 4; s++)
        record(0.5 * Math.exp(standardNormal(next)), nowMs - Math.floor(next() * 1000));
      const spanMs = spans[tick % spans.length]!;
      const readMs = running.readOver(spanMs);
      expect(readMs).toBe(Math.min(30_000, Math.max(1000, spanMs)));
      const snapshot = sliding.snapshot(nowMs, readMs);
      const values = FIELDS.map((field) => (snapshot.count === 0 ? undefined : snapshot[field]));
      expect(runningRead(running, nowMs)).toEqual({ count: snapshot.count, values });
      expect(running.countOver(nowMs, 9000)).toBe(sliding.snapshot(nowMs, 9000).count);
    }
  });

  it('should read nothing from an empty window, one sample from a window of one, and forget it a window later', () => {
    const { running, record, expectSame } = pair(3000);
    expect(running.count(5000)).toBe(0);
    expect(running.quantile(5000, 0.95)).toBeUndefined();
    expectSame(5000);
    expect(record(0.7, 5000)).toBe(true);
    expect(runningRead(running, 5000)).toEqual({ count: 1, values: [0.7, 0.7, 0.7, 0.7, 0.7] });
    expectSame(5000);
    expectSame(7999);
    expect(runningRead(running, 8000)).toEqual({ count: 0, values: Q.map(() => undefined) });
    expectSame(8000);
    // A zero is a sample: the sketch's zero count, read as 0.
    expect(record(0, 8000)).toBe(true);
    expect(record(-0, 8001)).toBe(true);
    expect(runningRead(running, 8500)).toEqual({ count: 2, values: [0, 0, 0, 0, 0] });
    expectSame(8500);
  });

  it('should refuse what the sliding window refuses: invalid values and end times, and samples older than the window of the newest', () => {
    const { running, record, expectSame } = pair(3000);
    for (const value of [Number.NaN, -1, Number.POSITIVE_INFINITY]) expect(record(value, 5000)).toBe(false);
    for (const endMs of [Number.NaN, Number.POSITIVE_INFINITY]) expect(record(1, endMs)).toBe(false);
    expect(record(2, 9000)).toBe(true);
    expect(record(1, 6999)).toBe(false); // epoch 6 <= 9 - 3
    expect(record(1, 7000)).toBe(true);
    expect(running.count(9000)).toBe(2);
    expectSame(9000);
  });

  it('should leave a sample one slot ahead of now out until its slot comes, then count it', () => {
    const { running, record, expectSame } = pair(3000);
    record(0.5, 10_000);
    record(4, 11_200); // the next slot
    expect(runningRead(running, 10_900)).toEqual({ count: 1, values: [0.5, 0.5, 0.5, 0.5, 0.5] });
    expectSame(10_900);
    record(3, 11_300);
    expectSame(10_950);
    expect(running.count(11_000)).toBe(3);
    expectSame(11_000);
    expectSame(13_000);
    expectSame(14_000);
  });

  it('should count as the merge on read, and read its upper quantiles, where the samples span more bins than a sketch keeps, then read exactly again once they left', () => {
    const { running, sliding, record, expectSame } = pair(3000);
    const next = mulberry32(17);
    for (let tick = 0; tick < 30; tick++) {
      const nowMs = 20_000 + tick * 700;
      // 1e-20 .. 1e20: ~4,600 keys at 1 %, over the 2,048 bins a sketch keeps. Both fold their
      // lowest bins, each in its own order (see SlidingWindow.quantileOf): the low quantiles are
      // approximate in both, the high ones (above the folded keys) the same.
      for (let s = 0; s < 10; s++) record(10 ** (next() * 40 - 20), nowMs - Math.floor(next() * 2000));
      const merged = mergedRead(sliding, nowMs);
      const read = runningRead(running, nowMs);
      expect(read.count).toBe(merged.count);
      expect(read.values.slice(2)).toEqual(merged.values.slice(2));
    }
    // Back to ratios a sketch holds whole once the wide ones have left the window.
    for (let tick = 30; tick < 40; tick++) {
      const nowMs = 20_000 + tick * 700;
      for (let s = 0; s < 10; s++) record(0.5 + next(), nowMs - Math.floor(next() * 500));
      expectSame(nowMs);
    }
  });

  it('should read several windows pooled as the sliding windows pooled, and nothing from none', () => {
    const next = mulberry32(23);
    const pairs = [pair(3000), pair(3000), pair(3000)];
    expect(RunningWindow.quantileOf([], 1000, 0.95)).toBeUndefined();
    expect(
      RunningWindow.quantileOf(
        pairs.map((p) => p.running),
        1000,
        0.95,
      ),
    ).toBeUndefined();
    let nowMs = 50_000;
    for (let tick = 0; tick < 100; tick++) {
      nowMs += 400 + Math.floor(next() * 800);
      for (const [i, p] of pairs.entries())
        for (let s = 0; s < i * 7; s++)
          p.record((i + 1) * 0.3 * Math.exp(standardNormal(next)), nowMs - Math.floor(next() * 3000));
      // One class read alone first some ticks, as the law does; the pool must not depend on it.
      if (tick % 3 === 0) pairs[1]!.expectSame(nowMs);
      for (const q of Q)
        expect(
          RunningWindow.quantileOf(
            pairs.map((p) => p.running),
            nowMs,
            q,
          ),
        ).toEqual(
          SlidingWindow.quantileOf(
            pairs.map((p) => p.sliding),
            nowMs,
            q,
          ),
        );
    }
  });

  it('should read windows pooled as the sliding windows pooled where one spans more bins than a sketch keeps: the same count and upper quantiles', () => {
    const next = mulberry32(29);
    const [wide, narrow] = [pair(3000), pair(3000)];
    for (let tick = 0; tick < 10; tick++) {
      const nowMs = 90_000 + tick * 1000;
      for (let s = 0; s < 10; s++) {
        wide.record(10 ** (next() * 40 - 20), nowMs - Math.floor(next() * 2000));
        narrow.record(0.5 + next(), nowMs - Math.floor(next() * 2000));
      }
      for (const q of Q.slice(2)) {
        const running = RunningWindow.quantileOf([wide.running, narrow.running], nowMs, q);
        const sliding = SlidingWindow.quantileOf([wide.sliding, narrow.sliding], nowMs, q);
        expect(running).toEqual(sliding);
      }
    }
  });
});
