import { describe, expect, it } from 'vitest';
import { setup, TICK_MS } from './setup.ts';

const MODERATE_FEATURES = ['recommendations', 'personalization', 'search_suggestions'];

describe('DegradationManager forced recovery', () => {
  it('should try one level down after maxDuration at a level, then re-escalate while violations persist', () => {
    const { manager, startMs, ticks } = setup();
    ticks(3, 80); // 1.6x: SEVERE at +3 s, and it stays 1.6x
    expect(ticks(599, 80)).toEqual([]); // +602 s: 599 s at SEVERE
    expect(ticks(1, 80)).toEqual([
      {
        seq: 2,
        at: startMs + 603 * TICK_MS,
        namespace: '',
        service: 'checkout',
        from: 'SEVERE',
        to: 'MODERATE',
        reason: 'forced-recovery',
        message: 'held SEVERE for 10m (recovery.maxDuration 10m); trying one level down',
        actions: { disabled: [], enabled: ['analytics_events'] },
        disabledFeatures: MODERATE_FEATURES,
      },
    ]);
    expect(ticks(2, 80)).toEqual([]);
    expect(ticks(1, 80).map((d) => [d.from, d.to, d.reason, d.at - startMs])).toEqual([
      ['MODERATE', 'SEVERE', 'escalation', 606 * TICK_MS],
    ]);
    expect(manager.level).toBe('SEVERE');
  });

  it('should count maxDuration from the last transition and force on no-data ticks too', () => {
    const { manager, ticks } = setup({ recovery: { maxDuration: '1m' } });
    ticks(3, 125); // CRITICAL at +3 s
    const decisions = ticks(4 * 60); // four minutes without data
    expect(decisions.map((d) => [d.from, d.to, d.reason, d.message])).toEqual([
      [
        'CRITICAL',
        'SEVERE',
        'forced-recovery',
        'held CRITICAL for 1m (recovery.maxDuration 1m); trying one level down',
      ],
      [
        'SEVERE',
        'MODERATE',
        'forced-recovery',
        'held SEVERE for 1m (recovery.maxDuration 1m); trying one level down',
      ],
      [
        'MODERATE',
        'MINIMAL',
        'forced-recovery',
        'held MODERATE for 1m (recovery.maxDuration 1m); trying one level down',
      ],
      [
        'MINIMAL',
        'NONE',
        'forced-recovery',
        'held MINIMAL for 1m (recovery.maxDuration 1m); trying one level down',
      ],
    ]);
    expect(decisions.map((d) => d.at - decisions[0]!.at)).toEqual([0, 60_000, 120_000, 180_000]);
    expect(manager.level).toBe('NONE');
  });

  it('should prefer a due recovery over a forced one on the same tick', () => {
    const { startMs, ticks } = setup({ recovery: { sustain: '29s', maxDuration: '30s' } });
    ticks(3, 55); // MINIMAL at +3 s
    const decisions = ticks(30, 10); // improvement from +4 s: held 29 s and 30 s at MINIMAL at +33 s
    expect(decisions.map((d) => [d.reason, d.to, d.at - startMs])).toEqual([
      ['recovery', 'NONE', 33 * TICK_MS],
    ]);
  });
});
