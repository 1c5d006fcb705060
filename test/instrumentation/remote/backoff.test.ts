import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../instrumentation/remote/backoff.ts';

const delays = (backoff: Backoff, count: number) => Array.from({ length: count }, () => backoff.next());

describe('Backoff', () => {
  it('should double from 0.5 s to 30 s, each delay in the upper half of its nominal value', () => {
    expect(delays(new Backoff({ random: () => 0 }), 9)).toEqual([
      250, 500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000,
    ]);
    expect(delays(new Backoff({ random: () => 0.999_999 }), 8).map(Math.round)).toEqual([
      500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
  });

  it('should start over after reset()', () => {
    const backoff = new Backoff({ initialMs: 10, maxMs: 100, random: () => 1 });
    expect(delays(backoff, 3)).toEqual([10, 20, 40]);
    backoff.reset();
    expect(backoff.next()).toBe(10);
  });

  it('should stay bounded after very many attempts', () => {
    const backoff = new Backoff({ initialMs: 10, maxMs: 100, random: () => 1 });
    expect(delays(backoff, 2000).at(-1)).toBe(100);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])(
    'should use the defaults for initialMs %s',
    (initialMs) => {
      expect(new Backoff({ initialMs, maxMs: initialMs, random: () => 1 }).next()).toBe(500);
    },
  );
});
