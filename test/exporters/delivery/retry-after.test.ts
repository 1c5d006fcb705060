import { describe, expect, it } from 'vitest';
import { parseRetryAfterMs } from '../../../exporters/delivery/index.ts';

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
