import { describe, expect, it } from 'vitest';
import { SlidingWindow, type WindowSnapshot } from '../../../agent/window/index.ts';
import { WindowOptionsError } from '../../../errors.ts';

const edgeLatencies = [0, 1, Infinity, NaN, -1];

function emptySnapshot(windowMs: number): WindowSnapshot {
  return {
    windowMs,
    count: 0,
    errorCount: 0,
    errorRate: 0,
    ratePerSecond: 0,
    p50: undefined,
    p90: undefined,
    p95: undefined,
    p99: undefined,
    p999: undefined,
    minMs: undefined,
    maxMs: undefined,
  };
}

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

function droppedOf(window: SlidingWindow): { invalid: number; late: number } {
  return { invalid: window.droppedInvalid, late: window.droppedLate };
}

describe('SlidingWindow', () => {
  it('should answer the same snapshot again without merging, until a sample, a restore or a release changes the window', () => {
    const window = new SlidingWindow({ windowMs: 10_000, resolutionMs: 1000 });
    window.record(10, false, 5_000);
    const first = window.snapshot(5_500);
    expect(window.snapshot(5_500)).toBe(first);
    expect(window.snapshot(5_500, 2000)).not.toBe(first);
    expect(window.snapshot(5_600).count).toBe(1);
    window.record(30, false, 5_600);
    expect(window.snapshot(5_600)).toMatchObject({ count: 2, maxMs: 30 });
    const state = window.exportState();
    const other = new SlidingWindow({ windowMs: 10_000, resolutionMs: 1000 });
    expect(other.snapshot(5_600).count).toBe(0);
    other.restoreState(state);
    expect(other.snapshot(5_600).count).toBe(2);
    other.release();
    expect(other.snapshot(5_600).count).toBe(0);
  });

  it('should return an empty snapshot with undefined latencies before any sample', () => {
    expect(new SlidingWindow().snapshot(5_000)).toStrictEqual(emptySnapshot(60_000));
  });

  it('should report counts, rates and exact min/max for one slot', () => {
    const window = new SlidingWindow({ windowMs: 10_000 });
    for (const durationMs of [10, 20, 30, 40]) window.record(durationMs, durationMs === 40, 3_500);

    const snapshot = window.snapshot(3_999);

    expect(snapshot).toMatchObject({ windowMs: 10_000, count: 4, errorCount: 1, errorRate: 0.25 });
    expect(snapshot.ratePerSecond).toBe(0.4);
    expect(snapshot.minMs).toBe(10);
    expect(snapshot.maxMs).toBe(40);
  });

  it('should accept 0 and 1 and drop Infinity, NaN and -1 as invalid', () => {
    const window = new SlidingWindow();

    const accepted = edgeLatencies.map((durationMs) => window.record(durationMs, false, 1_000));

    expect(accepted).toStrictEqual([true, true, false, false, false]);
    expect(droppedOf(window)).toStrictEqual({ invalid: 3, late: 0 });
    expect(window.snapshot(1_000)).toMatchObject({ count: 2, minMs: 0, maxMs: 1, p50: 0 });
  });

  it('should record -0 as a zero duration', () => {
    const window = new SlidingWindow();

    expect(window.record(-0, false, 1_000)).toBe(true);
    expect(window.snapshot(1_000)).toMatchObject({ count: 1, p50: 0, minMs: 0, maxMs: 0 });
    expect(Object.is(window.snapshot(1_000).minMs, 0)).toBe(true);
  });

  it('should drop samples whose end time is not finite as invalid', () => {
    const window = new SlidingWindow();

    const accepted = [NaN, Infinity, -Infinity].map((endTimeMs) => window.record(5, false, endTimeMs));

    expect(accepted).toStrictEqual([false, false, false]);
    expect(droppedOf(window)).toStrictEqual({ invalid: 3, late: 0 });
    expect(window.lastRecordMs).toBe(-Infinity);
  });

  it('should drop samples older than the window of the newest epoch as late', () => {
    const window = new SlidingWindow({ windowMs: 60_000 });
    window.record(5, false, 100_500); // newest epoch 100: epochs 41..100 are in the window

    const accepted = [40_000, 40_999, 41_000, 99_000].map((endTimeMs) => window.record(5, false, endTimeMs));

    expect(accepted).toStrictEqual([false, false, true, true]);
    expect(droppedOf(window)).toStrictEqual({ invalid: 0, late: 2 });
    expect(window.lastRecordMs).toBe(100_500);
  });

  it('should let samples leave the window as time moves on', () => {
    const window = new SlidingWindow({ windowMs: 60_000 });
    window.record(5, false, 0);
    window.record(7, false, 30_000);

    expect(window.snapshot(59_999).count).toBe(2);
    expect(window.snapshot(60_000)).toMatchObject({ count: 1, minMs: 7, maxMs: 7 });
    expect(window.snapshot(90_000)).toStrictEqual(emptySnapshot(60_000));
  });

  it('should not keep old data in a slot reused by a newer epoch', () => {
    const window = new SlidingWindow({ windowMs: 10_000 });
    window.record(100, true, 0); // epoch 0, slot 0
    window.record(1, false, 10_000); // epoch 10, slot 0 again

    expect(window.snapshot(10_500)).toMatchObject({
      count: 1,
      errorCount: 0,
      p50: 1,
      p999: 1,
      minMs: 1,
      maxMs: 1,
    });
  });

  it('should exclude samples that end after nowMs', () => {
    const window = new SlidingWindow({ windowMs: 10_000 });
    window.record(5, false, 4_000);
    window.record(9, false, 6_000);

    expect(window.snapshot(5_999)).toMatchObject({ count: 1, maxMs: 5 });
  });

  it('should answer a sub-window query over the last lastMs only', () => {
    const window = new SlidingWindow({ windowMs: 60_000 });
    for (let second = 0; second < 60; second++) {
      window.record(second < 50 ? 500 : 20, second === 55, second * 1_000 + 500);
    }

    const recent = window.snapshot(59_999, 10_000);

    expect(recent).toMatchObject({ windowMs: 10_000, count: 10, errorCount: 1, errorRate: 0.1, maxMs: 20 });
    expect(recent.ratePerSecond).toBe(1);
    expect(window.snapshot(59_999).maxMs).toBe(500);
  });

  it('should round a sub-window up to whole slots and clamp it to the window', () => {
    const window = new SlidingWindow({ windowMs: 10_000 });
    for (let second = 0; second < 10; second++) window.record(5, false, second * 1_000);

    const spans = [1, 2_500, 0, -5, 60_000, NaN].map((lastMs) => window.snapshot(9_000, lastMs));

    expect(spans.map((s) => [s.windowMs, s.count])).toStrictEqual([
      [1_000, 1],
      [3_000, 3],
      [1_000, 1],
      [1_000, 1],
      [10_000, 10],
      [10_000, 10],
    ]);
  });

  it('should compute the rate per second over the whole window', () => {
    const window = new SlidingWindow({ windowMs: 60_000, resolutionMs: 500 });
    for (let i = 0; i < 600; i++) window.record(3, i % 4 === 0, i * 100);

    expect(window.snapshot(59_999)).toMatchObject({
      count: 600,
      errorCount: 150,
      errorRate: 0.25,
      ratePerSecond: 10,
    });
  });

  it('should select nothing when nowMs is NaN', () => {
    const window = new SlidingWindow({ windowMs: 10_000 });
    window.record(5, false, 1_000);

    expect(window.snapshot(NaN)).toStrictEqual(emptySnapshot(10_000));
  });

  it('should place negative end times in the right slot', () => {
    const window = new SlidingWindow({ windowMs: 10_000 });

    expect(window.record(5, false, -1_500)).toBe(true);
    expect(window.snapshot(-1_001)).toMatchObject({ count: 1, maxMs: 5 });
  });
});

describe('SlidingWindow options', () => {
  it('should apply the defaults', () => {
    const window = new SlidingWindow();

    expect([window.windowMs, window.resolutionMs, window.slotCount]).toStrictEqual([60_000, 1_000, 60]);
  });

  const invalid: [string, ConstructorParameters<typeof SlidingWindow>[0], string, string][] = [
    ['windowMs 0', { windowMs: 0 }, 'SlidingWindow: windowMs must be a positive integer, got 0', 'windowMs'],
    [
      'windowMs 1.5',
      { windowMs: 1.5 },
      'SlidingWindow: windowMs must be a positive integer, got 1.5',
      'windowMs',
    ],
    [
      'windowMs NaN',
      { windowMs: NaN },
      'SlidingWindow: windowMs must be a positive integer, got NaN',
      'windowMs',
    ],
    [
      'resolutionMs -1',
      { resolutionMs: -1 },
      'SlidingWindow: resolutionMs must be a positive integer, got -1',
      'resolutionMs',
    ],
    [
      'a window that is not a multiple of the resolution',
      { windowMs: 1_500, resolutionMs: 1_000 },
      'SlidingWindow: windowMs (1500) must be a whole multiple of resolutionMs (1000)',
      'windowMs',
    ],
    [
      'too many slots',
      { windowMs: 3_601_000 },
      'SlidingWindow: windowMs / resolutionMs must be at most 3600 slots, got 3601',
      'windowMs',
    ],
    [
      'relativeAccuracy 0',
      { relativeAccuracy: 0 },
      'SlidingWindow: relativeAccuracy must be between 0 and 1 exclusive, got 0',
      'relativeAccuracy',
    ],
    [
      'relativeAccuracy 1',
      { relativeAccuracy: 1 },
      'SlidingWindow: relativeAccuracy must be between 0 and 1 exclusive, got 1',
      'relativeAccuracy',
    ],
    ['maxBins 0', { maxBins: 0 }, 'SlidingWindow: maxBins must be a positive integer, got 0', 'maxBins'],
  ];
  for (const [name, options, message, option] of invalid) {
    it(`should refuse ${name} with HEADROOM_ERR_WINDOW_OPTIONS_INVALID naming ${option}`, () => {
      const error = thrownBy(() => new SlidingWindow(options));
      expect(error).toStrictEqual(new WindowOptionsError(option, message));
      expect([(error as WindowOptionsError).code, (error as WindowOptionsError).option]).toEqual([
        'HEADROOM_ERR_WINDOW_OPTIONS_INVALID',
        option,
      ]);
    });
  }
});
