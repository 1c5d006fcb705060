import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DegradationLevel } from '../../../agent/degradation/index.ts';
import { setup, TICK_MS } from './setup.ts';

const SEVERE_FEATURES = ['recommendations', 'personalization', 'search_suggestions', 'analytics_events'];

afterEach(() => {
  vi.restoreAllMocks();
});

describe('DegradationManager manual override', () => {
  it('should win over violations until cleared, audit both ends, and resume automation from the pinned level', () => {
    const { manager, startMs, clock, ticks } = setup();
    ticks(2, 125);
    const pinned = manager.override('NONE', 'load test in progress');
    expect(pinned).toEqual({
      seq: 1,
      at: startMs + 2 * TICK_MS,
      namespace: '',
      service: 'checkout',
      from: 'NONE',
      to: 'NONE',
      reason: 'manual-override',
      message: 'manual override NONE -> NONE: load test in progress',
      actions: { disabled: [], enabled: [] },
      disabledFeatures: [],
    });
    expect(ticks(15 * 60, 125)).toEqual([]); // 15 minutes at 2.5x
    expect([manager.level, manager.overridden]).toEqual(['NONE', true]);
    clock.advance(500);
    const cleared = manager.clearOverride('load test over');
    expect(cleared).toEqual({
      seq: 2,
      at: startMs + 902_500,
      namespace: '',
      service: 'checkout',
      from: 'NONE',
      to: 'NONE',
      reason: 'override-cleared',
      message: 'override cleared at NONE: load test over; automatic transitions resume',
      actions: { disabled: [], enabled: [] },
      disabledFeatures: [],
    });
    expect(manager.clearOverride('again')).toBeUndefined();
    expect(manager.auditLog.entries()).toEqual([pinned, cleared]);
    expect(ticks(2, 125)).toEqual([]); // the escalation run starts afresh
    expect(ticks(1, 125).map((d) => [d.from, d.to, d.reason])).toEqual([['NONE', 'CRITICAL', 'escalation']]);
  });

  it('should win over recovery and forced recovery, then expire at untilMs on the next tick', () => {
    const { manager, startMs, ticks } = setup();
    const untilMs = startMs + 20 * 60_000;
    expect(manager.override('SEVERE', 'protect the database', { untilMs })).toEqual({
      seq: 1,
      at: startMs,
      namespace: '',
      service: 'checkout',
      from: 'NONE',
      to: 'SEVERE',
      reason: 'manual-override',
      message: 'manual override NONE -> SEVERE until 2023-11-14T22:33:20.000Z: protect the database',
      actions: { disabled: SEVERE_FEATURES, enabled: [] },
      disabledFeatures: SEVERE_FEATURES,
    });
    expect(ticks(20 * 60 - 1, 5)).toEqual([]); // 0.1x for 20 minutes, twice maxDuration
    expect(manager.level).toBe('SEVERE');
    expect(ticks(1, 5)).toEqual([
      {
        seq: 2,
        at: untilMs,
        namespace: '',
        service: 'checkout',
        from: 'SEVERE',
        to: 'SEVERE',
        reason: 'override-expired',
        message: 'override expired at SEVERE (until 2023-11-14T22:33:20.000Z); automatic transitions resume',
        actions: { disabled: [], enabled: [] },
        disabledFeatures: SEVERE_FEATURES,
      },
    ]);
    expect(manager.overridden).toBe(false);
    // The expiry tick only expires; the improvement starts on the next tick and holds 30 s.
    expect(ticks(30, 5)).toEqual([]);
    expect(ticks(1, 5).map((d) => [d.from, d.to, d.reason])).toEqual([['SEVERE', 'MODERATE', 'recovery']]);
  });

  it('should replace an active override with a new one', () => {
    const { manager } = setup();
    manager.override('CRITICAL', 'incident 42');
    const decision = manager.override('MINIMAL', 'incident 42 mitigated');
    expect([decision?.seq, decision?.from, decision?.to, decision?.actions]).toEqual([
      2,
      'CRITICAL',
      'MINIMAL',
      {
        disabled: [],
        enabled: ['personalization', 'search_suggestions', 'analytics_events', 'non_essential_writes'],
      },
    ]);
    expect(manager.overridden).toBe(true);
  });

  it('should still accept an override when automatic degradation is disabled in config', () => {
    const { manager, ticks } = setup({ enabled: false });
    expect(manager.override('MODERATE', 'manual only')?.to).toBe('MODERATE');
    expect(manager.features.enabled('personalization')).toBe(false);
    expect(manager.clearOverride('done')?.reason).toBe('override-cleared');
    expect(ticks(15 * 60, 5)).toEqual([]); // no recovery either: automation is off
    expect(manager.level).toBe('MODERATE');
  });

  it('should reject an unknown level or an unrepresentable expiry without throwing', () => {
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const { manager } = setup();
    expect(manager.override('HIGH' as DegradationLevel, 'typo')).toBeUndefined();
    expect(manager.override('SEVERE', 'bad expiry', { untilMs: Number.NaN })).toBeUndefined();
    expect(manager.override('SEVERE', 'far expiry', { untilMs: 1e300 })).toBeUndefined();
    expect([manager.level, manager.overridden, manager.auditLog.size]).toEqual(['NONE', false, 0]);
    expect(warn.mock.calls.map(([message]) => message)).toEqual([
      'headroom: degradation override to HIGH until undefined rejected',
      'headroom: degradation override to SEVERE until NaN rejected',
      'headroom: degradation override to SEVERE until 1e+300 rejected',
    ]);
  });
});
