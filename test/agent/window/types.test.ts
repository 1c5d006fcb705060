import { describe, expect, it } from 'vitest';
import {
  PERCENTILE_FIELDS,
  PERCENTILES,
  percentileValue,
  QUANTILES,
  quantileOf,
  SlidingWindow,
} from '../../../agent/window/index.ts';

describe('percentiles', () => {
  it('should list p50..p99.9 with their quantiles and snapshot fields', () => {
    expect(PERCENTILES).toStrictEqual(['p50', 'p90', 'p95', 'p99', 'p99.9']);
    expect(PERCENTILES.map(quantileOf)).toStrictEqual([0.5, 0.9, 0.95, 0.99, 0.999]);
    expect(PERCENTILES.map((p) => PERCENTILE_FIELDS[p])).toStrictEqual(['p50', 'p90', 'p95', 'p99', 'p999']);
    expect([
      Object.isFrozen(PERCENTILES),
      Object.isFrozen(QUANTILES),
      Object.isFrozen(PERCENTILE_FIELDS),
    ]).toStrictEqual([true, true, true]);
  });

  it('should read a snapshot at a percentile, undefined when the snapshot is empty', () => {
    const window = new SlidingWindow({ windowMs: 10_000 });
    const empty = window.snapshot(0);
    for (let i = 1; i <= 1000; i++) window.record(i, false, 500);
    const full = window.snapshot(999);

    expect(PERCENTILES.map((p) => percentileValue(empty, p))).toStrictEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(percentileValue(full, 'p99.9')).toBe(full.p999);
    expect(percentileValue(full, 'p95')).toBe(full.p95);
    const relativeErrors = PERCENTILES.map((p) => {
      const exact = 1 + Math.floor(quantileOf(p) * 999);
      return Math.abs(percentileValue(full, p)! - exact) / exact <= 0.01;
    });
    expect(relativeErrors).toStrictEqual([true, true, true, true, true]);
  });
});
