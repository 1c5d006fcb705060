import { describe, expect, it } from 'vitest';
import { CumulativeHistory, defaultTiers } from '../../../agent/slo/cumulative-history.ts';
import { SampleRing } from '../../../agent/slo/sample-ring.ts';
import { DAY_MS, HOUR_MS, MIDNIGHT_MS, MINUTE_MS } from './setup.ts';

describe('defaultTiers', () => {
  it('should hold 1-minute points over 6 h, 10-minute points over 3 d and hourly points over 30 d', () => {
    expect(defaultTiers(30 * DAY_MS)).toEqual([
      { resolutionMs: MINUTE_MS, spanMs: 6 * HOUR_MS },
      { resolutionMs: 10 * MINUTE_MS, spanMs: 3 * DAY_MS },
      { resolutionMs: HOUR_MS, spanMs: 30 * DAY_MS },
    ]);
  });

  it('should bound a history to at most 1,518 samples (36 KB) whatever the SLO window', () => {
    const samples = (windowMs: number) =>
      defaultTiers(windowMs).reduce((sum, tier) => sum + new SampleRing(tier).capacity, 0);
    expect([samples(DAY_MS), samples(30 * DAY_MS), samples(365 * DAY_MS)]).toEqual([870, 1518, 1518]);
    expect(samples(30 * DAY_MS) * 3 * 8).toBe(36_432);
  });
});

describe('SampleRing', () => {
  it('should keep the newest sample of each bucket but never replace the first', () => {
    const ring = new SampleRing({ resolutionMs: 10, spanMs: 20 });
    for (const at of [0, 5, 9, 12, 25]) ring.push(at, { good: at, total: at });
    expect(ring.size).toBe(4);
    expect([0, 4.5, 9, 10.5, 12, 20, 25, 99].map((at) => ring.valueAt(at).total)).toEqual([
      0, 4.5, 9, 10.5, 12, 20, 25, 25,
    ]);
  });

  it('should drop the oldest samples past its capacity and clamp before the oldest kept', () => {
    const ring = new SampleRing({ resolutionMs: 10, spanMs: 20 });
    expect(ring.capacity).toBe(4);
    for (let at = 0; at <= 60; at += 10) ring.push(at, { good: at, total: 2 * at });
    expect(ring.oldestMs).toBe(30);
    expect(ring.valueAt(0)).toEqual({ good: 30, total: 60 });
    expect(ring.valueAt(45)).toEqual({ good: 45, total: 90 });
  });
});

describe('CumulativeHistory', () => {
  it('should give the increase over a window from the finest ring reaching back to its start', () => {
    const history = new CumulativeHistory(defaultTiers(30 * DAY_MS));
    // One sample a minute for 8 hours: 10 events a minute, 1 of them bad.
    for (let minute = 0; minute <= 480; minute++) {
      history.push(MIDNIGHT_MS + minute * MINUTE_MS, { good: 9 * minute, total: 10 * minute });
    }
    expect(history.increase(5 * MINUTE_MS)).toEqual({ good: 45, total: 50 });
    expect(history.increase(6 * HOUR_MS)).toEqual({ good: 3240, total: 3600 });
    // 7 h reaches past the 1-minute ring: the 10-minute ring answers, exactly on its samples.
    expect(history.increase(7 * HOUR_MS + 1 * MINUTE_MS)).toEqual({ good: 3789, total: 4210 });
    // Longer than the history: everything since the first sample.
    expect(history.increase(30 * DAY_MS)).toEqual({ good: 4320, total: 4800 });
  });

  it('should interpolate between samples and take an earlier time as the newest', () => {
    const history = new CumulativeHistory([{ resolutionMs: MINUTE_MS, spanMs: HOUR_MS }]);
    history.push(MIDNIGHT_MS, { good: 0, total: 0 });
    history.push(MIDNIGHT_MS + 2 * MINUTE_MS, { good: 100, total: 200 });
    history.push(MIDNIGHT_MS + MINUTE_MS, { good: 150, total: 300 });
    expect(history.latestMs).toBe(MIDNIGHT_MS + 2 * MINUTE_MS);
    expect(history.latest).toEqual({ good: 150, total: 300 });
    expect(history.increase(MINUTE_MS)).toEqual({ good: 75, total: 150 });
  });

  it('should give zero counts when empty', () => {
    expect(new CumulativeHistory(defaultTiers(DAY_MS)).increase(HOUR_MS)).toEqual({ good: 0, total: 0 });
  });
});
