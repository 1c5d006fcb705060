import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, ExponentialBackoff } from '../../agent/index.ts';

const retry = {
  enabled: true,
  initialIntervalMs: 100,
  maxIntervalMs: 400,
  multiplier: 2,
  maxElapsedTimeMs: 1000,
};

function delays(random: () => number, config = retry, retryAfterMs?: number): (number | undefined)[] {
  const backoff = new ExponentialBackoff(config, 0, random);
  return Array.from({ length: 6 }, () => backoff.nextDelayMs(0, retryAfterMs));
}

describe('ExponentialBackoff', () => {
  it('should grow from initialInterval by multiplier up to maxInterval without jitter at the midpoint', () => {
    expect(delays(() => 0.5)).toEqual([100, 200, 400, 400, 400, 400]);
  });

  it('should randomize each interval by +/-50 % as the Collector does', () => {
    expect(delays(() => 0)).toEqual([50, 100, 200, 200, 200, 200]);
    expect(delays(() => 0.999_999).map((d) => Math.round(d ?? -1))).toEqual([150, 300, 600, 600, 600, 600]);
  });

  it('should give up when the next attempt would start after maxElapsedTime', () => {
    const backoff = new ExponentialBackoff(retry, 1_000, () => 0.5);
    expect(backoff.nextDelayMs(1_000)).toBe(100);
    expect(backoff.nextDelayMs(1_700)).toBe(200); // 700 + 200 <= 1000
    expect(backoff.nextDelayMs(1_700)).toBeUndefined(); // 700 + 400 > 1000
  });

  it('should wait as long as Retry-After asks when it is longer than the backoff', () => {
    expect(delays(() => 0.5, retry, 300)).toEqual([300, 300, 400, 400, 400, 400]);
    expect(delays(() => 0.5, retry, 1_001)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('should never retry when retry is disabled', () => {
    expect(delays(() => 0.5, { ...retry, enabled: false })).toEqual(Array(6).fill(undefined));
  });

  it('should start over from initialInterval, and count elapsed time anew, after reset', () => {
    const backoff = new ExponentialBackoff(retry, 0, () => 0.5);
    expect([backoff.nextDelayMs(0), backoff.nextDelayMs(0), backoff.nextDelayMs(900)]).toEqual([
      100,
      200,
      undefined,
    ]);
    backoff.reset(5_000);
    expect([backoff.nextDelayMs(5_000), backoff.nextDelayMs(5_800)]).toEqual([100, 200]);
  });

  it('should default to the Collector retry_on_failure settings', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({
      enabled: true,
      initialIntervalMs: 5000,
      maxIntervalMs: 30_000,
      multiplier: 1.5,
      maxElapsedTimeMs: 300_000,
    });
  });
});
