import { describe, expect, it } from 'vitest';
import { BoundedQueue } from '../../../exporters/alerts/bounded-queue.ts';
import { retryDelayMs } from '../../../exporters/alerts/index.ts';
import { parseRetryAfterMs } from '../../../exporters/http/index.ts';

describe('retryDelayMs', () => {
  const options = (random: number) => ({ baseMs: 500, capMs: 30_000, random: () => random });

  it('should draw uniformly below a ceiling that doubles from the base up to the cap', () => {
    expect([0, 1, 2, 5, 6, 20].map((retry) => retryDelayMs(retry, options(1)))).toEqual([
      500, 1000, 2000, 16_000, 30_000, 30_000,
    ]);
    expect([0, 1, 2].map((retry) => retryDelayMs(retry, options(0.25)))).toEqual([125, 250, 500]);
    expect(retryDelayMs(3, options(0))).toBe(0);
  });

  it('should wait what Retry-After asked instead, up to five minutes', () => {
    expect(retryDelayMs(0, options(1), 7000)).toBe(7000);
    expect(retryDelayMs(9, options(1), 0)).toBe(0);
    expect(retryDelayMs(0, options(1), 3_600_000)).toBe(300_000);
  });
});

describe('parseRetryAfterMs', () => {
  const nowMs = Date.UTC(2026, 0, 1);

  it('should read delay-seconds and HTTP dates, and ignore anything else', () => {
    expect(parseRetryAfterMs('120', nowMs)).toBe(120_000);
    expect(parseRetryAfterMs(' 0 ', nowMs)).toBe(0);
    expect(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', nowMs)).toBe(30_000);
    expect(parseRetryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', nowMs)).toBe(0);
    expect(parseRetryAfterMs('soon', nowMs)).toBeUndefined();
    expect(parseRetryAfterMs('-5', nowMs)).toBeUndefined();
    expect(parseRetryAfterMs(null, nowMs)).toBeUndefined();
  });
});

describe('BoundedQueue', () => {
  it('should drop the oldest item when full and report it', () => {
    const queue = new BoundedQueue<number>(2);
    expect([1, 2, 3].map((n) => queue.push(n))).toEqual([false, false, true]);
    expect(queue.take(5)).toEqual([2, 3]);
    expect(queue.size).toBe(0);
  });

  it('should replace a queued item with the same key in place', () => {
    const queue = new BoundedQueue<{ key: string; v: number }>(2, (item) => item.key);
    queue.push({ key: 'a', v: 1 });
    queue.push({ key: 'b', v: 1 });
    expect(queue.push({ key: 'a', v: 2 })).toBe(false);
    expect(queue.take(1)).toEqual([{ key: 'a', v: 2 }]);
    expect(queue.clear()).toBe(1);
  });
});
