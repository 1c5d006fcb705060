import { describe, expect, it } from 'vitest';
import { CHECKOUT_EMERGENCY } from '../../helpers/verdicts.ts';
import { setup, TICK_MS } from './setup.ts';

const ALL_FEATURES = [
  'recommendations',
  'personalization',
  'search_suggestions',
  'analytics_events',
  'non_essential_writes',
];
const FIVE_MS = {
  series: CHECKOUT_EMERGENCY,
  percentile: 'p95',
  observedMs: 5,
  budgetMs: 50,
  ratio: 0.1,
  samples: 200,
};
const NOW_FIVE_MS = 'now p95 of checkout/emergency 5ms is 0.1x its 50ms budget';

describe('DegradationManager recovery', () => {
  it('should wait the full sustain time, then step down one level at a time from CRITICAL to NONE', () => {
    const { manager, startMs, ticks } = setup();
    ticks(3, 125); // CRITICAL at +3 s
    expect(ticks(29, 5)).toEqual([]); // +4 s..+32 s: the improvement starts at +4 s
    expect(ticks(1, 5)).toEqual([]); // +33 s: held 29 s, one tick short of sustain
    const steps = ticks(3 * 30 + 1, 5); // +34 s, +64 s, +94 s, +124 s
    const at = (s: number) => startMs + s * TICK_MS;
    const common = { namespace: '', service: 'checkout', reason: 'recovery', evidence: FIVE_MS };
    expect(steps).toEqual([
      {
        ...common,
        seq: 2,
        at: at(34),
        from: 'CRITICAL',
        to: 'SEVERE',
        message: `worst ratio stayed at or below 1.5x (exit threshold of CRITICAL, entered at 2x) for 30s; ${NOW_FIVE_MS}`,
        actions: { disabled: [], enabled: ['non_essential_writes'] },
        disabledFeatures: ALL_FEATURES.slice(0, 4),
      },
      {
        ...common,
        seq: 3,
        at: at(64),
        from: 'SEVERE',
        to: 'MODERATE',
        message: `worst ratio stayed at or below 1.13x (exit threshold of SEVERE, entered at 1.5x) for 30s; ${NOW_FIVE_MS}`,
        actions: { disabled: [], enabled: ['analytics_events'] },
        disabledFeatures: ALL_FEATURES.slice(0, 3),
      },
      {
        ...common,
        seq: 4,
        at: at(94),
        from: 'MODERATE',
        to: 'MINIMAL',
        message: `worst ratio stayed at or below 0.94x (exit threshold of MODERATE, entered at 1.25x) for 30s; ${NOW_FIVE_MS}`,
        actions: { disabled: [], enabled: ['personalization', 'search_suggestions'] },
        disabledFeatures: ['recommendations'],
      },
      {
        ...common,
        seq: 5,
        at: at(124),
        from: 'MINIMAL',
        to: 'NONE',
        message: `worst ratio stayed at or below 0.75x (exit threshold of MINIMAL, entered at 1x) for 30s; ${NOW_FIVE_MS}`,
        actions: { disabled: [], enabled: ['recommendations'] },
        disabledFeatures: [],
      },
    ]);
    expect(manager.level).toBe('NONE');
  });

  it('should stay at a level while the ratio sits between its exit and enter thresholds (hysteresis)', () => {
    const { manager, ticks } = setup();
    ticks(3, 55); // MINIMAL (1.1x)
    expect(ticks(5 * 60, 40)).toEqual([]); // 0.8x: below MINIMAL's 1x, above its 0.75x exit
    expect(manager.level).toBe('MINIMAL');
  });

  it('should restart the improvement timer when a tick goes above the exit threshold', () => {
    const { manager, ticks } = setup();
    ticks(3, 55); // MINIMAL at +3 s
    expect(ticks(20, 30)).toEqual([]);
    expect(ticks(1, 40)).toEqual([]); // 0.8x > 0.75x: the 20 s held are lost
    expect(ticks(30, 30)).toEqual([]); // held 29 s since +25 s
    expect(ticks(1, 30).map((d) => [d.to, d.reason])).toEqual([['NONE', 'recovery']]);
    expect(manager.level).toBe('NONE');
  });

  it('should let no-data ticks neither start nor break an improvement, and recover on one', () => {
    const { manager, startMs, ticks } = setup();
    ticks(3, 55); // MINIMAL at +3 s
    expect(ticks(60)).toEqual([]); // a minute without data starts nothing
    expect(ticks(1, 30)).toEqual([]); // +64 s: the improvement starts
    expect(ticks(29)).toEqual([]);
    expect(ticks(1)).toEqual([
      {
        seq: 2,
        at: startMs + 94 * TICK_MS,
        namespace: '',
        service: 'checkout',
        from: 'MINIMAL',
        to: 'NONE',
        reason: 'recovery',
        message:
          'worst ratio stayed at or below 0.75x (exit threshold of MINIMAL, entered at 1x) for 30s; no data this tick',
        actions: { disabled: [], enabled: ['recommendations'] },
        disabledFeatures: [],
      },
    ]);
    expect(manager.level).toBe('NONE');
  });

  it('should respect minDwell when the improvement holds sooner', () => {
    const { startMs, ticks } = setup({ recovery: { sustain: '5s', minDwell: '20s' } });
    ticks(3, 55); // MINIMAL at +3 s; improvement from +4 s holds 5 s at +9 s
    expect(ticks(19, 30)).toEqual([]); // up to +22 s: 19 s at the level, one tick short of minDwell
    const [decision] = ticks(1, 30); // +23 s: 20 s at the level
    expect(decision).toEqual({
      seq: 2,
      at: startMs + 23 * TICK_MS,
      namespace: '',
      service: 'checkout',
      from: 'MINIMAL',
      to: 'NONE',
      reason: 'recovery',
      message: `worst ratio stayed at or below 0.75x (exit threshold of MINIMAL, entered at 1x) for 19s; now p95 of checkout/emergency 30ms is 0.6x its 50ms budget`,
      evidence: { ...FIVE_MS, observedMs: 30, ratio: 0.6 },
      actions: { disabled: [], enabled: ['recommendations'] },
      disabledFeatures: [],
    });
  });
});
