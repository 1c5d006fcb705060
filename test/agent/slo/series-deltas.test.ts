import { describe, expect, it } from 'vitest';
import { goodEvents, SeriesDeltas } from '../../../agent/slo/series-deltas.ts';
import { SeriesTotals } from '../../../agent/window/index.ts';
import { GOOD_MS, record, SLOW_MS } from './setup.ts';

const BOUNDS = [50, 200, 1000];

describe('goodEvents', () => {
  it('should count the buckets up to the budget, a duration equal to the budget included', () => {
    const totals = new SeriesTotals(BOUNDS);
    for (const ms of [10, 50, 120, 200, 201, 5000]) totals.record(ms, false);
    expect([goodEvents(totals, 200), goodEvents(totals, 50), goodEvents(totals, 0)]).toEqual([4, 2, 0]);
  });

  it('should leave out failed events, fast or not', () => {
    const totals = new SeriesTotals(BOUNDS);
    for (const ms of [10, 50, 120]) totals.record(ms, true);
    for (const ms of [10, 300]) totals.record(ms, false);
    expect(goodEvents(totals, 200)).toBe(1);
  });

  it('should undercount down to the bound below a budget that is not a bound', () => {
    const totals = new SeriesTotals(BOUNDS);
    for (const ms of [10, 120, 150]) totals.record(ms, false);
    expect(goodEvents(totals, 180)).toBe(1);
  });
});

describe('SeriesDeltas', () => {
  it('should count a first sighting from zero, then give what was added', () => {
    const deltas = new SeriesDeltas();
    const totals = new SeriesTotals(BOUNDS);
    record(totals, 5);
    expect(deltas.delta(totals, 200)).toEqual({ good: 5, total: 5 });
    record(totals, 7, 2, 1);
    expect(deltas.delta(totals, 200)).toEqual({ good: 7, total: 10 });
    expect(deltas.delta(totals, 200)).toEqual({ good: 0, total: 0 });
  });

  it('should baseline a series skipped before (it matched no SLO) and count it from then on', () => {
    const deltas = new SeriesDeltas();
    const totals = new SeriesTotals(BOUNDS);
    record(totals, 5, 5);
    deltas.skip(totals);
    record(totals, 1);
    expect(deltas.delta(totals, 200)).toBeUndefined();
    record(totals, 2, 1);
    expect(deltas.delta(totals, 200)).toEqual({ good: 2, total: 3 });
    deltas.skip(totals);
    record(totals, 4);
    expect(deltas.delta(totals, 200)).toBeUndefined();
  });

  it('should count an event bad when slow or failed, once when both', () => {
    const deltas = new SeriesDeltas();
    const totals = new SeriesTotals(BOUNDS);
    deltas.delta(totals, 200);
    for (let i = 0; i < 10; i++) totals.record(SLOW_MS, true);
    expect(deltas.delta(totals, 200)).toEqual({ good: 0, total: 10 });
    // 4 slow failures among 10: errors are counted per bucket, so exactly 4 bad.
    for (let i = 0; i < 4; i++) totals.record(SLOW_MS, true);
    record(totals, 6);
    expect(deltas.delta(totals, 200)).toEqual({ good: 6, total: 10 });
    record(totals, 0, 0, 3);
    totals.record(GOOD_MS, false);
    expect(deltas.delta(totals, 200)).toEqual({ good: 1, total: 4 });
  });

  it('should treat a counter that went down as reset, like increase() does', () => {
    const deltas = new SeriesDeltas();
    const totals = {
      boundsMs: BOUNDS,
      bucketCounts: new Float64Array([0, 90, 0, 10]),
      errorBucketCounts: new Float64Array(4),
      count: 100,
      errorCount: 0,
    };
    deltas.delta(totals, 200);
    totals.bucketCounts = new Float64Array([0, 6, 0, 1]);
    totals.count = 7;
    expect(deltas.delta(totals, 200)).toEqual({ good: 6, total: 7 });
  });

  it('should split the events since the previous call exactly when the budget changed in between', () => {
    const deltas = new SeriesDeltas();
    const totals = new SeriesTotals(BOUNDS);
    record(totals, 4, 4);
    deltas.delta(totals, 200);
    // 1 at 100 ms, 1 at 300 ms: within a 1000 ms budget both are good.
    record(totals, 1, 1);
    expect(deltas.delta(totals, 1000)).toEqual({ good: 2, total: 2 });
    record(totals, 1, 1);
    expect(deltas.delta(totals, 200)).toEqual({ good: 1, total: 2 });
  });
});
