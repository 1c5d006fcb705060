import { describe, expect, it } from 'vitest';
import { OVERFLOW_OPERATION, type Series, SeriesRegistry } from '../../../agent/window/index.ts';

function keyOf(series: Series): string[] {
  return [series.service, series.operation, series.context];
}

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('SeriesRegistry', () => {
  it('should resolve the same triple to the same series object', () => {
    const registry = new SeriesRegistry();

    const first = registry.resolve('checkout', 'charge-card', 'routine');

    expect(registry.resolve('checkout', 'charge-card', 'routine')).toBe(first);
    expect(registry.resolve('checkout', 'charge-card', 'emergency')).not.toBe(first);
    expect(registry.resolve('billing', 'charge-card', 'routine')).not.toBe(first);
    expect(keyOf(first)).toStrictEqual(['checkout', 'charge-card', 'routine']);
    expect(Object.isFrozen(first)).toBe(true);
    expect(registry.size).toBe(3);
  });

  it('should give every series its own window with the configured options', () => {
    const registry = new SeriesRegistry({ window: { windowMs: 10_000, resolutionMs: 500 } });

    const a = registry.resolve('svc', 'a', 'routine');
    const b = registry.resolve('svc', 'b', 'routine');

    expect(a.window).not.toBe(b.window);
    expect([a.window.windowMs, a.window.resolutionMs, a.window.slotCount]).toStrictEqual([10_000, 500, 20]);
  });

  it('should send new combinations past the cap to one overflow series per (service, context)', () => {
    const registry = new SeriesRegistry({ maxSeries: 2 });
    const a = registry.resolve('svc', 'a', 'routine');
    registry.resolve('svc', 'b', 'routine');

    const c = registry.resolve('svc', 'c', 'routine');
    const d = registry.resolve('svc', 'd', 'routine');
    const cAgain = registry.resolve('svc', 'c', 'routine');
    const otherContext = registry.resolve('svc', 'c', 'emergency');

    expect(keyOf(c)).toStrictEqual(['svc', OVERFLOW_OPERATION, 'routine']);
    expect(OVERFLOW_OPERATION).toBe('__overflow__');
    expect(d).toBe(c);
    expect(cAgain).toBe(c);
    expect(keyOf(otherContext)).toStrictEqual(['svc', '__overflow__', 'emergency']);
    expect(registry.resolve('svc', 'a', 'routine')).toBe(a); // existing series are not refused
    expect(registry.overflowed).toBe(4); // each refused lookup counts, the repeat of 'c' too
    expect(registry.list().map(keyOf)).toStrictEqual([
      ['svc', 'a', 'routine'],
      ['svc', 'b', 'routine'],
      ['svc', '__overflow__', 'routine'],
      ['svc', '__overflow__', 'emergency'],
    ]);
    expect(registry.size).toBe(4);
  });

  it('should resolve the reserved overflow name directly without counting an overflow', () => {
    const registry = new SeriesRegistry({ maxSeries: 1 });
    registry.resolve('svc', 'a', 'routine');

    const direct = registry.resolve('svc', OVERFLOW_OPERATION, 'routine');

    expect(registry.resolve('svc', 'b', 'routine')).toBe(direct);
    expect(registry.overflowed).toBe(1);
  });

  it('should prune series with no sample since nowMs - idleMs, and free room under the cap', () => {
    const registry = new SeriesRegistry({ maxSeries: 3 });
    registry.resolve('svc', 'old', 'routine').window.record(5, false, 1_000);
    registry.resolve('svc', 'fresh', 'routine').window.record(5, false, 50_000);
    registry.resolve('other', 'never-recorded', 'routine');

    const removed = registry.prune(30_000, 60_000);

    expect(removed).toBe(2);
    expect(registry.list().map(keyOf)).toStrictEqual([['svc', 'fresh', 'routine']]);
    expect(registry.size).toBe(1);
    expect(keyOf(registry.resolve('svc', 'new', 'routine'))).toStrictEqual(['svc', 'new', 'routine']);
    expect(registry.overflowed).toBe(0);
  });

  it('should keep a series whose newest sample is inside the idle span', () => {
    const registry = new SeriesRegistry();
    registry.resolve('svc', 'a', 'routine').window.record(5, false, 30_001);

    expect(registry.prune(30_000, 60_000)).toBe(0);
    expect(registry.prune(NaN, 60_000)).toBe(0);
    expect(registry.size).toBe(1);
  });

  it('should prune idle overflow series too', () => {
    const registry = new SeriesRegistry({ maxSeries: 1 });
    registry.resolve('svc', 'a', 'routine').window.record(5, false, 59_000);
    registry.resolve('svc', 'b', 'routine').window.record(5, false, 1_000);

    expect(registry.prune(30_000, 60_000)).toBe(1);
    expect(registry.list().map(keyOf)).toStrictEqual([['svc', 'a', 'routine']]);
  });

  it('should delete one series and report whether it existed', () => {
    const registry = new SeriesRegistry({ maxSeries: 1 });
    const a = registry.resolve('svc', 'a', 'routine');

    expect(registry.delete('svc', 'a', 'routine')).toBe(true);
    expect(registry.delete('svc', 'a', 'routine')).toBe(false);
    expect(registry.delete('nope', 'a', 'routine')).toBe(false);
    expect(registry.size).toBe(0);
    const b = registry.resolve('svc', 'b', 'routine');
    expect(keyOf(b)).toStrictEqual(['svc', 'b', 'routine']);
    expect(registry.resolve('svc', 'a', 'routine')).not.toBe(a);
  });

  it('should refuse an invalid maxSeries or window option at construction', () => {
    expect(thrownBy(() => new SeriesRegistry({ maxSeries: 0 }))).toStrictEqual(
      new RangeError('SeriesRegistry: maxSeries must be a positive integer, got 0'),
    );
    expect(thrownBy(() => new SeriesRegistry({ window: { resolutionMs: 7 } }))).toStrictEqual(
      new RangeError('SlidingWindow: windowMs (60000) must be a whole multiple of resolutionMs (7)'),
    );
  });
});
