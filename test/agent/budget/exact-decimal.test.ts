import { describe, expect, it } from 'vitest';
import {
  configuredBudgetsMs,
  DEFAULT_BOUNDS_MS,
  exactMs,
  histogramBounds,
  msToSeconds,
  shareOfMs,
} from '../../../agent/index.ts';
import type { HeadroomConfigInput } from '../../../config/index.ts';
import { configOf } from '../../helpers/agent.ts';
import { NOISY_BOUNDS_SECONDS, NOISY_CONTEXTS } from '../../helpers/histogram-bounds.ts';

const boundsOf = (input: HeadroomConfigInput) => histogramBounds(configuredBudgetsMs(configOf(input)));

describe('exact budget decimals', () => {
  it('should give every whole-percent share of a 0.1 ms-grained budget as the exact decimal, in ms and s', () => {
    // budget = tenths / 10 ms, share = percent / 100: the product is tenths x percent microseconds,
    // whose nearest doubles are that integer / 1000 (ms) and / 1e6 (s), correctly rounded.
    let mismatches = 0;
    for (let tenths = 1; tenths <= 3000; tenths++) {
      for (let percent = 1; percent <= 100; percent++) {
        const ms = shareOfMs(tenths / 10, percent / 100);
        const micros = tenths * percent;
        if (ms !== micros / 1000 || msToSeconds(ms) !== micros / 1e6) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
  });

  it.each([
    [225, 0.28, 63, '0.063'],
    [63, 0.7, 44.1, '0.0441'],
    [63, 0.1, 6.3, '0.0063'],
    [225, 0.72, 162, '0.162'],
    [0.001, 0.3, 0.0003, '3e-7'],
    [2_592_000_000, 0.333, 863_136_000, '863136'],
    [1000, 1 / 3, 333.333333333, '0.333333333333'],
  ])('should make %s ms x %s %s ms, printed as %s s', (budgetMs, share, ms, seconds) => {
    expect(shareOfMs(budgetMs, share)).toBe(ms);
    expect(String(msToSeconds(shareOfMs(budgetMs, share)))).toBe(seconds);
  });

  it('should pass zero and non-finite values through', () => {
    expect([exactMs(0), exactMs(Number.POSITIVE_INFINITY), Number.isNaN(exactMs(Number.NaN))]).toEqual([
      0,
      Number.POSITIVE_INFINITY,
      true,
    ]);
    expect([msToSeconds(0), msToSeconds(Number.POSITIVE_INFINITY)]).toEqual([0, Number.POSITIVE_INFINITY]);
  });
});

describe('histogramBounds', () => {
  it('should merge a phase share equal to another context budget into one exact bound', () => {
    const bounds = boundsOf({ contexts: NOISY_CONTEXTS });
    // lookup's seed phases: 20 %, 10 %, 70 % of 63 ms; the seed contexts (50, 200, 1000 ms) stay.
    expect(bounds.map(msToSeconds).map(String)).toEqual(NOISY_BOUNDS_SECONDS);
    expect(bounds.slice(5, 13)).toEqual([12.6, 20, 25, 35, 40, 44.1, 50, 63]);
  });

  it('should add nothing for budgets and shares equal to default bounds, nor for 0% shares', () => {
    const bounds = boundsOf({
      contexts: { api: { budget: '250ms', phases: { db: '20%', cache: '0%', render: '40%' } } },
      rules: [{ match: { spanName: 'x' }, context: 'api', budget: '0.5s' }],
    });
    // 250 ms, its 20 % = 50 ms and 40 % = 100 ms; the rule's 500 ms and its shares 100 ms, 200 ms:
    // all defaults. The seed contexts add their own (5, 10, 20, 35, 40, 140, 700 ms).
    expect(bounds).toEqual([...DEFAULT_BOUNDS_MS, 20, 35, 40, 140, 700].sort((a, b) => a - b));
  });

  it('should keep tiny and huge budgets, strictly increasing', () => {
    const bounds = boundsOf({
      contexts: {
        tiny: { budget: '1us', phases: { a: '30%', b: '70%' } },
        huge: { budget: '30d', phases: { a: '33.3%' } },
      },
    });
    expect(bounds.slice(0, 3)).toEqual([0.0003, 0.0007, 0.001]);
    expect(bounds.slice(-2)).toEqual([863_136_000, 2_592_000_000]);
    expect(bounds.every((bound, i) => i === 0 || bound > (bounds[i - 1] as number))).toBe(true);
  });

  it('should round float noise away in any order, defaults included, and drop non-positive bounds', () => {
    expect(
      histogramBounds([63.00000000000001, 63, 44.099999999999994, 0, -5, Number.NaN], [50, 44.1, 100]),
    ).toEqual([44.1, 50, 63, 100]);
  });
});
