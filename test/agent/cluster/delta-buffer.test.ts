import { describe, expect, it } from 'vitest';
import { DeltaBuffer } from '../../../agent/cluster/delta-buffer.ts';
import { SeriesRegistry } from '../../../agent/window/index.ts';

const options = { windowMs: 10_000, resolutionMs: 1000, relativeAccuracy: 0.01 };

describe('DeltaBuffer', () => {
  it('should split its series over several takes once the bin budget is spent, losing none', () => {
    const registry = new SeriesRegistry({ window: options, totalsBoundsMs: [10] });
    const buffer = new DeltaBuffer(options);
    const nowMs = 1_700_000_000_000;
    for (const operation of ['a', 'b', 'c']) {
      const series = registry.resolve('svc', operation, 'routine');
      // 1..100 ms: about 230 bins at 1 % accuracy
      for (let ms = 1; ms <= 100; ms++) buffer.record(series, ms, ms % 10 === 0, nowMs);
    }
    const first = buffer.take(300);
    expect(first.map((d) => d.names[2])).toEqual(['a', 'b']);
    const second = buffer.take(300);
    expect(second.map((d) => d.names[2])).toEqual(['c']);
    expect(buffer.empty).toBe(true);
    expect(buffer.take(300)).toEqual([]);
    const c = second[0]!;
    expect(c).toMatchObject({ names: ['', 'svc', 'c', 'routine', ''], lastRecordMs: nowMs });
    expect(c.totals).toEqual({
      boundsMs: [10],
      buckets: [10, 90],
      errorBuckets: [1, 9],
      count: 100,
      sumMs: 5050,
      errorCount: 10,
    });
    expect(c.slots.map((s) => [s.epoch, s.count, s.errorCount])).toEqual([[nowMs / 1000, 100, 10]]);
  });
});
