import { diag } from '@opentelemetry/api';
import { describe, expect, it, vi } from 'vitest';
import { CHECKOUT_EMERGENCY, verdictOf } from '../../helpers/verdicts.ts';
import { setup, TICK_MS } from './setup.ts';

const MODERATE_FEATURES = ['recommendations', 'personalization', 'search_suggestions'];

describe('DegradationManager escalation', () => {
  it('should escalate on exactly the third consecutive violating tick, to the lowest target of the run', () => {
    const { manager, startMs, tick } = setup();
    expect(tick(125)).toBeUndefined(); // 2.5x: CRITICAL target
    expect(tick(82.1)).toBeUndefined(); // 1.642x: SEVERE target
    expect(manager.level).toBe('NONE');
    expect(tick(100)).toEqual({
      seq: 1,
      at: startMs + 3 * TICK_MS,
      namespace: '',
      service: 'checkout',
      from: 'NONE',
      to: 'SEVERE',
      reason: 'escalation',
      message: 'p95 of checkout/emergency 82.1ms is 1.64x its 50ms budget for 3 ticks',
      evidence: {
        series: CHECKOUT_EMERGENCY,
        percentile: 'p95',
        observedMs: 82.1,
        budgetMs: 50,
        ratio: 1.642,
        samples: 200,
      },
      actions: { disabled: [...MODERATE_FEATURES, 'analytics_events'], enabled: [] },
      disabledFeatures: [...MODERATE_FEATURES, 'analytics_events'],
    });
    expect(manager.level).toBe('SEVERE');
  });

  it('should do nothing on a single spike tick, however high', () => {
    const { manager, tick, ticks } = setup();
    ticks(5, 10);
    expect(tick(5000)).toBeUndefined(); // 100x
    expect(ticks(60, 10)).toEqual([]);
    expect(manager.level).toBe('NONE');
    expect(manager.auditLog.entries()).toEqual([]);
  });

  it('should restart the run after a tick at or below the current level', () => {
    const { manager, ticks } = setup();
    expect(ticks(2, 70)).toEqual([]);
    expect(ticks(1, 45)).toEqual([]); // 0.9x: target NONE, the run is broken
    expect(ticks(2, 70)).toEqual([]);
    expect(manager.level).toBe('NONE');
    expect(ticks(1, 70).map((d) => [d.from, d.to])).toEqual([['NONE', 'MODERATE']]);
  });

  it('should restart the run after a no-data tick', () => {
    const { manager, ticks } = setup();
    expect(ticks(2, 70)).toEqual([]);
    expect(ticks(1)).toEqual([]);
    expect(ticks(2, 70)).toEqual([]);
    expect(manager.level).toBe('NONE');
    expect(ticks(1, 70).map((d) => d.to)).toEqual(['MODERATE']);
  });

  it('should escalate from a degraded level only when the target is above it, adding only the new features', () => {
    const { manager, ticks, startMs } = setup();
    ticks(3, 70); // MODERATE
    expect(ticks(20, 70)).toEqual([]); // still the MODERATE target: no run
    const [decision] = ticks(3, 80); // 1.6x: SEVERE
    expect(decision).toEqual({
      seq: 2,
      at: startMs + 26 * TICK_MS,
      namespace: '',
      service: 'checkout',
      from: 'MODERATE',
      to: 'SEVERE',
      reason: 'escalation',
      message: 'p95 of checkout/emergency 80ms is 1.6x its 50ms budget for 3 ticks',
      evidence: {
        series: CHECKOUT_EMERGENCY,
        percentile: 'p95',
        observedMs: 80,
        budgetMs: 50,
        ratio: 1.6,
        samples: 200,
      },
      actions: { disabled: ['analytics_events'], enabled: [] },
      disabledFeatures: [...MODERATE_FEATURES, 'analytics_events'],
    });
    expect(manager.level).toBe('SEVERE');
  });

  it('should take the worst verdict of the tick as evidence', () => {
    const { manager, clock } = setup({ escalation: { ticks: 1 } });
    const search = { namespace: '', service: 'checkout', operation: 'search', context: 'routine', phase: '' };
    clock.advance(TICK_MS);
    const decision = manager.observe([
      verdictOf(60),
      verdictOf(450, { series: search, budgetMs: 200, samples: 40 }), // 2.25x
      verdictOf(Number.NaN),
    ]);
    expect(decision?.to).toBe('CRITICAL');
    expect(decision?.message).toBe('p95 of search/routine 450ms is 2.25x its 200ms budget for 1 tick');
    expect(decision?.evidence).toEqual({
      series: search,
      percentile: 'p95',
      observedMs: 450,
      budgetMs: 200,
      ratio: 2.25,
      samples: 40,
    });
  });

  it('should treat edge ratios soundly: Infinity is CRITICAL, NaN and negatives never escalate', () => {
    const { manager, ticks } = setup({ escalation: { ticks: 1 } });
    expect(ticks(3, Number.NaN)).toEqual([]);
    expect(ticks(3, -1)).toEqual([]);
    expect(ticks(3, 0)).toEqual([]);
    const [decision] = ticks(1, Number.POSITIVE_INFINITY);
    expect(decision?.to).toBe('CRITICAL');
    expect(decision?.message).toBe(
      'p95 of checkout/emergency Infinity is Infinityx its 50ms budget for 1 tick',
    );
    expect(manager.level).toBe('CRITICAL');
  });

  it('should never change the level when degradation is disabled in config', () => {
    const { manager, ticks } = setup({ enabled: false });
    expect(ticks(600, 500)).toEqual([]);
    expect(manager.level).toBe('NONE');
  });

  it('should not throw into the host when handed something that is not a verdict list', () => {
    const error = vi.spyOn(diag, 'error').mockImplementation(() => {});
    const { manager } = setup();
    expect(manager.observe(null as never)).toBeUndefined();
    expect(manager.observe([null] as never)).toBeUndefined();
    expect(manager.level).toBe('NONE');
    expect(error).toHaveBeenCalledTimes(2);
    expect(error.mock.calls[0]?.[0]).toBe('headroom: degradation tick failed; ignored');
    error.mockRestore();
  });
});
