import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BodyDeadline, type DeadlineMiss } from '../../../collector/receiver/body-deadline.ts';

/** 100 bytes per second after a 1 s grace period, 10 s in all. */
const LIMITS = { timeoutMs: 10_000, minBytesPerSecond: 100, graceMs: 1000, now: () => Date.now() };
const SLOW = { kind: 'too_slow', reason: 'request body arrived slower than 100 bytes per second' };
const LATE = { kind: 'timeout', reason: 'request body not received within 10s' };

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A deadline and the misses it reported, with the time of each since the start. */
function watch(limits = LIMITS) {
  const startedMs = Date.now();
  const misses: (DeadlineMiss & { atMs: number })[] = [];
  const deadline = new BodyDeadline(limits, (miss) => misses.push({ ...miss, atMs: Date.now() - startedMs }));
  return { deadline, misses };
}

/** Feeds `bytesPerSecond` in 10 steps a second for `seconds`. */
function feed(deadline: BodyDeadline, bytesPerSecond: number, seconds: number): void {
  for (let step = 0; step < seconds * 10; step++) {
    deadline.add(bytesPerSecond / 10);
    vi.advanceTimersByTime(100);
  }
}

describe('BodyDeadline', () => {
  it('should miss at the end of the grace period when nothing arrived', () => {
    const { misses } = watch();
    vi.advanceTimersByTime(999);
    expect(misses).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(misses).toEqual([{ ...SLOW, atMs: 1000 }]);
  });

  it('should miss once the average falls below the minimum, not before', () => {
    const { deadline, misses } = watch();
    deadline.add(300); // enough for 3 s at 100 bytes per second
    vi.advanceTimersByTime(3000);
    expect(misses).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(misses).toEqual([{ ...SLOW, atMs: 3001 }]);
  });

  it('should let a body at exactly the minimum rate run until the total timeout', () => {
    const { deadline, misses } = watch();
    feed(deadline, 100, 10);
    expect(misses).toEqual([{ ...LATE, atMs: 10_000 }]);
  });

  it('should miss a trickle of one byte every 2 s at the grace period whatever the total allows', () => {
    const { deadline, misses } = watch({ ...LIMITS, timeoutMs: 60_000 });
    deadline.add(1);
    vi.advanceTimersByTime(2000);
    expect(misses).toEqual([{ ...SLOW, atMs: 1000 }]);
  });

  it('should report nothing once stopped, and at most one miss', () => {
    const stopped = watch();
    stopped.deadline.stop();
    vi.advanceTimersByTime(60_000);
    const missed = watch();
    vi.advanceTimersByTime(60_000);
    expect([stopped.misses, missed.misses]).toEqual([[], [{ ...SLOW, atMs: 1000 }]]);
  });

  it('should apply the total timeout when it is shorter than the grace period', () => {
    const { deadline, misses } = watch({ ...LIMITS, timeoutMs: 500 });
    deadline.add(1_000_000);
    vi.advanceTimersByTime(500);
    expect(misses).toEqual([
      { kind: 'timeout', reason: 'request body not received within 500ms', atMs: 500 },
    ]);
  });
});
