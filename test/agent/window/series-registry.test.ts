import { describe, expect, it } from 'vitest';
import { CardinalityLimits } from '../../../agent/limits/index.ts';
import { OVERFLOW_OPERATION, type Series, SeriesRegistry } from '../../../agent/window/index.ts';
import { SeriesOptionsError, WindowOptionsError } from '../../../errors.ts';

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
    const maxSeries = thrownBy(() => new SeriesRegistry({ maxSeries: 0 }));
    expect(maxSeries).toStrictEqual(
      new SeriesOptionsError('maxSeries', 'SeriesRegistry: maxSeries must be a positive integer, got 0'),
    );
    expect((maxSeries as SeriesOptionsError).code).toBe('HEADROOM_ERR_SERIES_OPTIONS_INVALID');
    const window = thrownBy(() => new SeriesRegistry({ window: { resolutionMs: 7 } }));
    expect(window).toStrictEqual(
      new WindowOptionsError(
        'windowMs',
        'SlidingWindow: windowMs (60000) must be a whole multiple of resolutionMs (7)',
      ),
    );
    expect((window as WindowOptionsError).code).toBe('HEADROOM_ERR_WINDOW_OPTIONS_INVALID');
  });
});

describe('SeriesRegistry caps by dimension', () => {
  const limited = (max: Record<string, number>, maxSeries = 10_000, nameLength = 256) =>
    new SeriesRegistry({
      maxSeries,
      limits: new CardinalityLimits({
        nameLength,
        max,
        allowed: { context: new Set(['emergency', 'routine']) },
      }),
    });
  const keys = (registry: SeriesRegistry) =>
    registry.list().map((s) => [s.service, s.operation, s.context, s.phase]);

  it('should fold 100,000 distinct values of each dimension into a bounded number of series', () => {
    const cases = [
      ['service', (i: number) => [`svc-${i}`, 'op', 'routine', '']],
      ['operation', (i: number) => ['svc', `op-${i}`, 'routine', '']],
      ['context', (i: number) => ['svc', 'op', `ctx-${i}`, '']],
      ['phase', (i: number) => ['svc', 'op', 'routine', `phase-${i}`]],
    ] as const;
    for (const [dimension, key] of cases) {
      const registry = limited({ service: 3, operation: 3, phase: 3 });
      for (let i = 0; i < 100_000; i++) {
        const [service, operation, context, phase] = key(i);
        registry.resolve(service, operation, context, phase).window.record(1, false, 1_000);
      }
      // 3 regular values (none for context: only configured ones) and one overflow series.
      expect([dimension, registry.size]).toStrictEqual([dimension, dimension === 'context' ? 1 : 4]);
      expect(registry.limits.overflowed()[dimension]).toBe(dimension === 'context' ? 100_000 : 99_997);
    }
  });

  it('should key a refused value under __overflow__ at its own level, keeping the others', () => {
    const registry = limited({ service: 1, operation: 1, phase: 1 });
    registry.resolve('svc', 'a', 'routine');
    registry.resolve('svc', 'a', 'routine', 'routing');

    registry.resolve('svc', 'b', 'routine');
    registry.resolve('svc', 'a', 'routine', 'execution');
    registry.resolve('svc', 'a', 'batch');
    registry.resolve('other', 'a', 'routine');

    expect(keys(registry)).toStrictEqual([
      ['svc', 'a', 'routine', ''],
      ['svc', 'a', 'routine', 'routing'],
      ['svc', 'a', 'routine', '__overflow__'],
      ['svc', '__overflow__', 'routine', ''],
      ['svc', 'a', '__overflow__', ''],
      ['__overflow__', 'a', 'routine', ''],
    ]);
    // An unconfigured context's series is a regular one (it is one per service and operation).
    expect(registry.regularSize).toBe(3);
  });

  it('should bound overflow series too: past maxSeries of them, the rest share the __overflow__ service', () => {
    const registry = limited({ service: 100, operation: 1 }, 2);
    for (let i = 0; i < 10; i++) {
      registry.resolve(`svc-${i}`, 'a', 'routine');
      registry.resolve(`svc-${i}`, 'b', 'routine');
    }
    expect(keys(registry)).toStrictEqual([
      ['svc-0', 'a', 'routine', ''],
      ['svc-0', '__overflow__', 'routine', ''],
      ['svc-1', 'a', 'routine', ''],
      ['svc-1', '__overflow__', 'routine', ''],
      ['__overflow__', '__overflow__', 'routine', ''],
    ]);
  });

  it('should truncate long names before the lookup, so every long variant shares the truncated series', () => {
    const registry = limited({}, 10, 16);
    const a = registry.resolve('svc', `${'o'.repeat(16)}-one`, 'routine');
    const b = registry.resolve('svc', `${'o'.repeat(16)}-two`, 'routine');

    expect(b).toBe(a);
    expect(a.operation).toBe('o'.repeat(16));
    expect(registry.limits.truncated().operation).toBe(2);
  });

  it('should give room back when idle series are pruned, and keep their drop counts', () => {
    const registry = limited({ operation: 1 });
    const old = registry.resolve('svc', 'a', 'routine');
    old.window.record(5, false, 1_000);
    old.window.record(-1, false, 1_000);

    expect(registry.resolve('svc', 'b', 'routine').operation).toBe('__overflow__');
    expect(registry.prune(30_000, 60_000)).toBe(2);
    expect(registry.resolve('svc', 'b', 'routine').operation).toBe('b');
    expect(registry.retiredDrops).toStrictEqual({ invalid: 1, late: 0 });
    expect(registry.hasService('svc')).toBe(true);
    expect(registry.newestRecordMs('svc')).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe('SeriesRegistry service identity (namespace, name)', () => {
  const ids = (registry: SeriesRegistry) => registry.list().map((s) => [s.namespace, s.service, s.operation]);

  it('should keep a service name in two namespaces as two series, each found again', () => {
    const registry = new SeriesRegistry();
    const shop = registry.resolve('checkout', 'pay', 'routine', '', 'shop');
    const payments = registry.resolve('checkout', 'pay', 'routine', '', 'payments');
    const bare = registry.resolve('checkout', 'pay', 'routine');
    expect(new Set([shop, payments, bare]).size).toBe(3);
    expect(registry.resolve('checkout', 'pay', 'routine', '', 'shop')).toBe(shop);
    expect(ids(registry)).toEqual([
      ['shop', 'checkout', 'pay'],
      ['payments', 'checkout', 'pay'],
      ['', 'checkout', 'pay'],
    ]);
    expect([registry.hasService('checkout', 'shop'), registry.hasService('checkout', 'other')]).toEqual([
      true,
      false,
    ]);
    expect(registry.delete('checkout', 'pay', 'routine', '', 'shop')).toBe(true);
    expect(ids(registry)).toEqual([
      ['payments', 'checkout', 'pay'],
      ['', 'checkout', 'pay'],
    ]);
  });

  it('should cap services over every namespace and namespaces by their own cap, folding the rest', () => {
    const limits = new CardinalityLimits({ max: { service: 2, namespace: 2 } });
    const registry = new SeriesRegistry({ limits });
    registry.resolve('a', 'op', 'routine', '', 'n1');
    registry.resolve('a', 'op', 'routine', '', 'n2');
    // A third service, in a known namespace: over the service cap, whatever the namespace.
    registry.resolve('b', 'op', 'routine', '', 'n1');
    // A third namespace: over the namespace cap; its services fold too.
    registry.resolve('c', 'op', 'routine', '', 'n3');
    expect(ids(registry)).toEqual([
      ['n1', 'a', 'op'],
      ['n1', OVERFLOW_OPERATION, 'op'],
      ['n2', 'a', 'op'],
      [OVERFLOW_OPERATION, OVERFLOW_OPERATION, 'op'],
    ]);
    expect([limits.overflowed().service, limits.overflowed().namespace]).toEqual([1, 1]);
    // Room comes back when a service's last series goes.
    registry.delete('a', 'op', 'routine', '', 'n2');
    registry.resolve('d', 'op', 'routine', '', 'n2');
    expect(ids(registry)).toContainEqual(['n2', 'd', 'op']);
  });
});
