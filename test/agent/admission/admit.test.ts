import { describe, expect, it } from 'vitest';
import type { Criticality } from '../../../agent/admission/criticality.ts';
import { admissionConfig, scripted, setup } from './setup.ts';

describe('AdmissionController.admit', () => {
  it('should reject exactly the draws under the class probability', () => {
    // SHEDDABLE at 20 % after two full steps; draws 0.1 and 0.199999 are under it, 0.2 is not.
    const { controller, ticks } = setup({}, scripted([0.1, 0.2, 0.199999, 0.9]));
    ticks(2, { CRITICAL: 2, SHEDDABLE: 0.5 });
    const rejected = {
      admitted: false,
      criticality: 'SHEDDABLE',
      code: 'HEADROOM_ADMISSION_REJECTED',
      reason: 'overload',
      probability: 0.2,
      retryAfterMs: 1000,
      message:
        'SHEDDABLE request rejected: the service is over its latency budget, so 20% of SHEDDABLE requests are shed; retry after 1s',
    };
    const admitted = { admitted: true, criticality: 'SHEDDABLE' };
    const results = [1, 2, 3, 4].map(() => controller.admit('SHEDDABLE'));
    expect(results).toEqual([rejected, admitted, rejected, admitted]);
    expect(Object.isFrozen(results[0])).toBe(true);
    expect(controller.state().classes.SHEDDABLE).toEqual({
      probability: 0.2,
      maxProbability: 1,
      minProbability: 0,
      admitted: 2,
      rejected: 2,
    });
  });

  it('should not draw for a class at 0 and admit an unknown class as CRITICAL', () => {
    let draws = 0;
    const { controller } = setup({}, () => {
      draws++;
      return 0;
    });
    expect(controller.admit('CRITICAL')).toEqual({ admitted: true, criticality: 'CRITICAL' });
    expect(controller.admit('BULK' as Criticality)).toEqual({ admitted: true, criticality: 'CRITICAL' });
    expect(draws).toBe(0);
    expect(controller.state().classes.CRITICAL.admitted).toBe(2);
  });

  it('should give probability 0 for a name that is no class, prototype members included (review15 F3)', () => {
    const { controller, tick } = setup();
    tick({}, 'SEVERE');
    for (const name of ['__proto__', 'constructor', 'toString', 'sheddable'])
      expect(controller.probability(name as Criticality)).toBe(0);
    expect(controller.probability('SHEDDABLE')).toBe(1);
  });

  it('should admit when the random source throws or returns NaN', () => {
    const { controller, tick } = setup({}, () => {
      throw new Error('entropy gone');
    });
    tick({}, 'SEVERE');
    expect(controller.admit('SHEDDABLE')).toEqual({ admitted: true, criticality: 'SHEDDABLE' });
    const nan = setup({}, () => Number.NaN);
    nan.tick({}, 'SEVERE');
    expect(nan.controller.admit('SHEDDABLE')).toEqual({ admitted: true, criticality: 'SHEDDABLE' });
  });

  it('should state retryAfter in the rejection', () => {
    const { controller, tick } = setup({ retryAfter: '2500ms' }, () => 0);
    tick({}, 'SEVERE');
    expect(controller.admit('SHEDDABLE')).toMatchObject({
      retryAfterMs: 2500,
      message:
        'SHEDDABLE request rejected: the service is degraded to SEVERE, so 100% of SHEDDABLE requests are shed; retry after 2500ms',
    });
  });
});

describe('AdmissionController with admission disabled', () => {
  it('should admit everything, keep every probability at 0 and decide nothing', () => {
    const { controller, ticks } = setup({ enabled: false }, () => 0);
    expect(ticks(30, { CRITICAL: 5, SHEDDABLE: 0.5 }, 'CRITICAL')).toEqual([]);
    expect(controller.admit('SHEDDABLE')).toEqual({ admitted: true, criticality: 'SHEDDABLE' });
    const state = controller.state();
    expect(state.enabled).toBe(false);
    expect(state.pressure).toBe(0);
    expect(state.classes.SHEDDABLE).toEqual({
      probability: 0,
      maxProbability: 0,
      minProbability: 0,
      admitted: 1,
      rejected: 0,
    });
  });
});

describe('AdmissionController.reconfigure', () => {
  it('should turn each probability the reload changes into a reconfigured decision', () => {
    // Pressure 0.8 with SHEDDABLE capped to 50 %: the rest goes to SHEDDABLE_PLUS.
    // (The 4x queueing overload of overload.test.ts: SHEDDABLE 80 % at second 8.)
    const { controller, run, startMs } = setup();
    run(8, { CRITICAL: 200, SHEDDABLE_PLUS: 100, SHEDDABLE: 100 });
    const config = admissionConfig({
      maxRejection: { SHEDDABLE: '50%' },
      levels: { severe: { minRejection: { SHEDDABLE: '50%' } } },
    });
    expect(controller.reconfigure(config)).toEqual([
      {
        seq: 9,
        at: startMs + 8000,
        namespace: '',
        service: 'checkout',
        criticality: 'SHEDDABLE',
        from: 0.8,
        to: 0.5,
        reason: 'reconfigured',
        message: 'SHEDDABLE rejection 80% -> 50%: configuration reloaded, floor 0%, cap 50%',
        level: 'NONE',
      },
      expect.objectContaining({
        seq: 10,
        criticality: 'SHEDDABLE_PLUS',
        from: 0,
        to: 0.3,
        message: 'SHEDDABLE_PLUS rejection 0% -> 30%: configuration reloaded, floor 0%, cap 90%',
      }),
    ]);
    expect(controller.reconfigure(config)).toEqual([]);
  });

  it('should drop shedding when a reload disables admission, and bring the level floor back when it enables it', () => {
    // SEVERE floors SHEDDABLE; SHEDDABLE_PLUS is entered once the overload has lasted a step
    // delay (second 5), 30 % at second 7.
    const { controller, ticks, tick, brief } = setup();
    ticks(7, { CRITICAL: 2, SHEDDABLE_PLUS: 0.5 }, 'SEVERE');
    expect(controller.probability('SHEDDABLE_PLUS')).toBe(0.3);
    const off = controller.reconfigure(admissionConfig({ enabled: false }));
    expect(off.map((d) => [d.criticality, d.from, d.to, d.message])).toEqual([
      ['SHEDDABLE', 1, 0, 'SHEDDABLE rejection 100% -> 0%: configuration reloaded, admission disabled'],
      [
        'SHEDDABLE_PLUS',
        0.3,
        0,
        'SHEDDABLE_PLUS rejection 30% -> 0%: configuration reloaded, admission disabled',
      ],
    ]);
    expect(tick({ CRITICAL: 2, SHEDDABLE_PLUS: 0.5 }, 'SEVERE')).toEqual([]);
    const on = controller.reconfigure(admissionConfig({}));
    expect(brief(on)).toEqual([[8, 'SHEDDABLE', 0, 1, 'reconfigured']]);
    expect(on[0]?.message).toBe(
      'SHEDDABLE rejection 0% -> 100%: configuration reloaded, floor 100%, cap 100%',
    );
  });

  it('should keep the ratios when the window is unchanged and start afresh when it changed', () => {
    const { controller, feed, tick } = setup();
    feed({ CRITICAL: 2, SHEDDABLE: 0.5 });
    controller.reconfigure(admissionConfig({ maxStep: '20%' }));
    expect(tick().map((d) => d.to)).toEqual([0.2]);
    feed({ CRITICAL: 2, SHEDDABLE: 0.5 });
    controller.reconfigure(admissionConfig({ maxStep: '20%', window: '5s' }));
    expect(tick()).toEqual([]);
  });
});
