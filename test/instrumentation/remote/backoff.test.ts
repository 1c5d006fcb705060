import { describe, expect, it } from 'vitest';
import { reconnectBackoff } from '../../../instrumentation/remote/backoff.ts';
import type { BackoffOptions } from '../../../instrumentation/remote/index.ts';

const delays = (options: BackoffOptions, count: number) => {
  const backoff = reconnectBackoff(options, 0);
  return Array.from({ length: count }, () => backoff.nextDelayMs(0));
};

describe('reconnectBackoff', () => {
  it('should double from 0.5 s to 30 s, each delay 50 % to 150 % of its interval (the one backoff)', () => {
    expect(delays({ random: () => 0 }, 9)).toEqual([
      250, 500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000,
    ]);
    expect(delays({ random: () => 0.999_999 }, 8).map((d) => Math.round(d ?? -1))).toEqual([
      750, 1500, 3000, 6000, 12_000, 24_000, 45_000, 45_000,
    ]);
  });

  it('should start over after reset()', () => {
    const backoff = reconnectBackoff({ initialMs: 10, maxMs: 100, random: () => 0.5 }, 0);
    expect([backoff.nextDelayMs(0), backoff.nextDelayMs(0), backoff.nextDelayMs(0)]).toEqual([10, 20, 40]);
    backoff.reset(0);
    expect(backoff.nextDelayMs(0)).toBe(10);
  });

  it('should stay bounded, and never give up, after very many attempts', () => {
    const backoff = reconnectBackoff({ initialMs: 10, maxMs: 100, random: () => 0.5 }, 0);
    const last = Array.from({ length: 2000 }, (_, i) => backoff.nextDelayMs(i * 100)).at(-1);
    expect(last).toBe(100);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])(
    'should use the defaults for initialMs %s',
    (initialMs) => {
      expect(delays({ initialMs, maxMs: initialMs, random: () => 0.5 }, 1)).toEqual([500]);
    },
  );
});
