import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClassWindows } from '../../../agent/admission/class-windows.ts';
import { ManualClock } from '../../../agent/clock.ts';
import { setup } from './setup.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('AdmissionController tick cost (review15 F7)', () => {
  it('should read no percentile for a class under minSamples, and none while idle', () => {
    const reads = vi.spyOn(ClassWindows.prototype, 'read');
    const { ticks, tick, clock } = setup();
    // 19 samples of each class in the window: under minSamples (20), no class is read.
    expect(tick({ CRITICAL: 2, SHEDDABLE: 2 }, 'NONE', 19)).toEqual([]);
    expect(reads).not.toHaveBeenCalled();
    clock.advance(3000); // they leave the window
    // 30 healthy CRITICAL samples: CRITICAL is read, and nothing moves.
    expect(tick({ CRITICAL: 0.5, SHEDDABLE: 0.5 })).toEqual([]);
    expect(reads.mock.calls.map(([criticality]) => criticality)).toEqual(['CRITICAL']);
    // No pressure and no new sample: the next ticks skip the law entirely.
    reads.mockClear();
    expect(ticks(5)).toEqual([]);
    expect(reads).not.toHaveBeenCalled();
    // Samples arrive: the law runs again (the earlier ones have left the window). SHEDDABLE, the
    // class the next step would shed, judges nothing (review15 F1): only CRITICAL is read, once.
    expect(tick({ SHEDDABLE: 0.5, CRITICAL: 0.5 }, 'NONE', 20)).toEqual([]);
    expect(reads.mock.calls.map(([criticality]) => criticality)).toEqual(['CRITICAL']);
    reads.mockClear();
    expect(tick({ SHEDDABLE: 0.5 }, 'NONE', 1)).toEqual([]);
    expect(reads.mock.calls.map(([criticality]) => criticality)).toEqual(['CRITICAL']);
  });

  it('should read each class and each pool at most once a tick, though the rise and the recovery both judge (review16 L2)', () => {
    const reads = vi.spyOn(ClassWindows.prototype, 'read');
    const pools = vi.spyOn(ClassWindows.prototype, 'readPool');
    const { tick } = setup();
    // Healthy and busy: the frontier (SHEDDABLE) is judged by CRITICAL alone (30 samples) and by
    // CRITICAL_PLUS (10: under minSamples, never read alone) and CRITICAL pooled; recovery asks
    // the same judgement again.
    tick({ CRITICAL_PLUS: 0.5 }, 'NONE', 10);
    expect(tick({ CRITICAL: 0.5, SHEDDABLE: 0.5 })).toEqual([]);
    expect(reads.mock.calls.map(([criticality]) => criticality)).toEqual(['CRITICAL']);
    expect(pools.mock.calls).toEqual([['SHEDDABLE', 'p95']]);
  });

  it('should keep running on a shedding controller without new samples (it must ease)', () => {
    // The 2x samples stay in the 3 s window one more tick (one more step), then no class has
    // minSamples: after recovery.sustain the pressure eases although no sample arrives.
    const { ticks, controller } = setup();
    expect(ticks(2, { CRITICAL: 2, SHEDDABLE: 0.5 }).map((d) => d.to)).toEqual([0.1, 0.2]);
    const easing = ticks(12);
    expect(easing.map((d) => [d.reason, d.to])).toEqual([
      ['overload', 0.3],
      ['recovery', 0.2],
      ['recovery', 0.1],
      ['recovery', 0],
    ]);
    expect(controller.pressure).toBe(0);
  });

  it('should count the samples of each class in the window the percentile reads, slot by slot', () => {
    const clock = new ManualClock(1_700_000_000_000);
    const windows = new ClassWindows(3000, clock);
    expect([windows.count('CRITICAL'), windows.received]).toEqual([0, 0]);
    for (let i = 0; i < 5; i++) windows.record('CRITICAL', 0.5, clock.now());
    clock.advance(1000);
    for (let i = 0; i < 3; i++) windows.record('CRITICAL', 0.5, clock.now());
    windows.record('SHEDDABLE', 0.5, clock.now());
    expect(windows.record('CRITICAL', Number.NaN, clock.now())).toBe(false);
    expect(windows.record('CRITICAL', 0.5, clock.now() - 3000)).toBe(false);
    expect([windows.count('CRITICAL'), windows.read('CRITICAL', 'p95')?.samples]).toEqual([8, 8]);
    expect([windows.count('SHEDDABLE'), windows.received]).toEqual([1, 9]);
    clock.advance(2000); // the first second's 5 samples leave the window
    expect([windows.count('CRITICAL'), windows.read('CRITICAL', 'p95')?.samples]).toEqual([3, 3]);
    clock.advance(1000);
    expect([windows.count('CRITICAL'), windows.read('CRITICAL', 'p95')]).toEqual([0, undefined]);
    expect(windows.count('CRITICAL_PLUS')).toBe(0);
  });
});
