import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../agent/index.ts';
import { BodyDeadline, type DeadlineMiss } from '../../../collector/receiver/body-deadline.ts';

let clock = new ManualClock(0);
beforeEach(() => {
  clock = new ManualClock(0);
});

/** 100 bytes per second after a 1 s grace period, 10 s in all. */
const LIMITS = { timeoutMs: 10_000, minBytesPerSecond: 100, graceMs: 1000 };
const SLOW = { kind: 'too_slow', reason: 'request body arrived slower than 100 bytes per second' };
const LATE = { kind: 'timeout', reason: 'request body not received within 10s' };

/** A deadline and the misses it reported, with the time of each since the start. */
function watch(limits = LIMITS) {
  const startedMs = clock.now();
  const misses: (DeadlineMiss & { atMs: number })[] = [];
  const deadline = new BodyDeadline({ ...limits, clock }, (miss) =>
    misses.push({ ...miss, atMs: clock.now() - startedMs }),
  );
  return { deadline, misses };
}

/** Feeds `bytesPerSecond` in 10 steps a second for `seconds`. */
function feed(deadline: BodyDeadline, bytesPerSecond: number, seconds: number): void {
  for (let step = 0; step < seconds * 10; step++) {
    deadline.add(bytesPerSecond / 10);
    clock.advance(100);
  }
}

describe('BodyDeadline', () => {
  it('should miss at the end of the grace period when nothing arrived', () => {
    const { misses } = watch();
    clock.advance(999);
    expect(misses).toEqual([]);
    clock.advance(1);
    expect(misses).toEqual([{ ...SLOW, atMs: 1000 }]);
  });

  it('should miss once the average falls below the minimum, not before', () => {
    const { deadline, misses } = watch();
    deadline.add(300); // enough for 3 s at 100 bytes per second
    clock.advance(3000);
    expect(misses).toEqual([]);
    clock.advance(1);
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
    clock.advance(2000);
    expect(misses).toEqual([{ ...SLOW, atMs: 1000 }]);
  });

  it('should report nothing once stopped, and at most one miss', () => {
    const stopped = watch();
    stopped.deadline.stop();
    clock.advance(60_000);
    const missed = watch();
    clock.advance(60_000);
    expect([stopped.misses, missed.misses]).toEqual([[], [{ ...SLOW, atMs: 1000 }]]);
  });

  it('should apply the total timeout when it is shorter than the grace period', () => {
    const { deadline, misses } = watch({ ...LIMITS, timeoutMs: 500 });
    deadline.add(1_000_000);
    clock.advance(500);
    expect(misses).toEqual([
      { kind: 'timeout', reason: 'request body not received within 500ms', atMs: 500 },
    ]);
  });
});
