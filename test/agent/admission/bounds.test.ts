import { describe, expect, it } from 'vitest';
import { round6 } from '../../../agent/admission/admission-law.ts';
import { configSchema } from '../../../config/index.ts';
import { type admissionConfig, setup } from './setup.ts';

describe('AdmissionController caps and level floors', () => {
  it('should never take a class above its cap, nor reject CRITICAL_PLUS even with random() = 0', () => {
    // A queueing service at 5.5x its capacity for 5 minutes: every class at its cap still leaves
    // 210 requests a tick (4.41x): all caps reached, then held.
    const { controller, run } = setup({}, () => 0);
    const decisions = run(300, { CRITICAL_PLUS: 50, CRITICAL: 300, SHEDDABLE_PLUS: 100, SHEDDABLE: 100 });
    const highest = { CRITICAL_PLUS: 0, CRITICAL: 0, SHEDDABLE_PLUS: 0, SHEDDABLE: 0 };
    for (const { criticality, to } of decisions) highest[criticality] = Math.max(highest[criticality], to);
    expect(highest).toEqual({ CRITICAL_PLUS: 0, CRITICAL: 0.5, SHEDDABLE_PLUS: 0.9, SHEDDABLE: 1 });
    expect(decisions).toHaveLength(24);
    expect(controller.admit('CRITICAL_PLUS')).toEqual({ admitted: true, criticality: 'CRITICAL_PLUS' });
    expect(controller.admit('SHEDDABLE')).toMatchObject({ admitted: false, probability: 1 });
    expect(controller.state().classes.CRITICAL_PLUS).toEqual({
      probability: 0,
      maxProbability: 0,
      minProbability: 0,
      admitted: 1,
      rejected: 0,
    });
  });

  it('should follow configured caps', () => {
    const { controller, run } = setup({
      maxRejection: { SHEDDABLE: '30%', SHEDDABLE_PLUS: '0%', CRITICAL: '5%' },
      levels: { severe: { minRejection: { SHEDDABLE: '30%' } } },
    });
    run(60, { CRITICAL_PLUS: 100, CRITICAL: 100, SHEDDABLE: 100 }); // 2.65x with every class at its cap
    expect([controller.probability('SHEDDABLE'), controller.probability('SHEDDABLE_PLUS')]).toEqual([0.3, 0]);
    expect([controller.probability('CRITICAL'), controller.pressure]).toEqual([0.05, 0.35]);
  });

  it('should floor SHEDDABLE to 100 % at SEVERE and above, and release it when the level drops', () => {
    const { controller, startMs, tick, ticks, brief } = setup();
    expect(tick({}, 'MODERATE')).toEqual([]);
    expect(tick({}, 'SEVERE')).toEqual([
      {
        seq: 1,
        at: startMs + 2000,
        namespace: '',
        service: 'checkout',
        criticality: 'SHEDDABLE',
        from: 0,
        to: 1,
        reason: 'degradation-level',
        message:
          'SHEDDABLE rejection 0% -> 100%: degradation level MODERATE -> SEVERE (floor 100%, cap 100%)',
        level: 'SEVERE',
      },
    ]);
    expect(tick({}, 'CRITICAL')).toEqual([]);
    // The level drops by two: its floor's share becomes the pressure's (review15g H2), so nothing
    // in force changes then; recovery eases it one watched maxStep a tick once its wait has held.
    expect([tick({}, 'MODERATE'), controller.pressure]).toEqual([[], 1]);
    const steps = Array.from({ length: 10 }, (_, i) => [
      9 + i,
      'SHEDDABLE',
      round6(1 - i / 10),
      round6(0.9 - i / 10),
      'recovery',
    ]);
    expect(brief(ticks(45, {}, 'MODERATE'))).toEqual(steps);
    expect(controller.auditLog.entries().at(-1)?.message).toBe(
      'SHEDDABLE rejection 10% -> 0%: no class had 20 samples in 3s for 14s',
    );
  });

  it('should step past a floor: the first overload step at SEVERE sheds SHEDDABLE_PLUS', () => {
    // SHEDDABLE is already at its 100 % floor; the pressure starts from there (1.0), not from 0.
    // SHEDDABLE_PLUS (cap 90 %, under 1) is entered only once the overload has lasted a step
    // delay (window + tick = 4 s) without falling (review15b N2): second 5.
    const { controller, tick, ticks, brief } = setup();
    expect(brief(tick({ CRITICAL: 2, SHEDDABLE_PLUS: 0.5 }, 'SEVERE'))).toEqual([
      [1, 'SHEDDABLE', 0, 1, 'degradation-level'],
    ]);
    expect(brief(ticks(4, { CRITICAL: 2, SHEDDABLE_PLUS: 0.5 }, 'SEVERE'))).toEqual([
      [5, 'SHEDDABLE_PLUS', 0, 0.1, 'overload'],
    ]);
    expect(controller.pressure).toBe(1.1);
    // Back at NONE the pressure keeps SHEDDABLE at 100 %: nothing changes there.
    // (The window still holds second 5's 2x samples: one more step.)
    expect(brief(tick({ CRITICAL: 0.5, SHEDDABLE_PLUS: 0.5 }, 'NONE'))).toEqual([
      [6, 'SHEDDABLE_PLUS', 0.1, 0.2, 'overload'],
    ]);
  });

  it('should apply level caps and floors set in YAML, with what a level sets holding above it', () => {
    const { controller, run, tick, brief } = setup({
      levels: {
        moderate: { minRejection: { SHEDDABLE_PLUS: '20%' } },
        critical: { maxRejection: { CRITICAL: '20%' } },
      },
    });
    run(50, { CRITICAL_PLUS: 50, CRITICAL: 300, SHEDDABLE_PLUS: 100, SHEDDABLE: 100 }); // every cap reached
    expect(controller.probability('CRITICAL')).toBe(0.5);
    expect(brief(tick({}, 'MODERATE'))).toEqual([]);
    expect(brief(tick({}, 'CRITICAL'))).toEqual([[52, 'CRITICAL', 0.5, 0.2, 'degradation-level']]);
    expect(controller.state().classes.SHEDDABLE_PLUS).toMatchObject({
      minProbability: 0.2,
      maxProbability: 0.9,
    });
    expect(controller.pressure).toBe(2.1);
  });

  it('should refuse at load a level cap under a floor carried up from a lower level (review15 F4)', () => {
    const issues = (admission: Parameters<typeof admissionConfig>[0]) => {
      const result = configSchema.safeParse({ admission });
      return result.success ? [] : result.error.issues.map((i) => [i.path.join('.'), i.message]);
    };
    expect(
      issues({
        levels: {
          moderate: { minRejection: { CRITICAL: '30%' } },
          critical: { maxRejection: { CRITICAL: '10%' } },
        },
      }),
    ).toEqual([
      [
        'admission.levels.critical.maxRejection.CRITICAL',
        'admission.levels.critical.maxRejection.CRITICAL (10%) must be at least the floor in force at critical, 30% (a levels.*.minRejection at or below critical)',
      ],
    ]);
    // The default SHEDDABLE floor follows the cap (test/config/admission-floor.test.ts); one the user set does not.
    expect(issues({ levels: { critical: { maxRejection: { SHEDDABLE: '50%' } } } })).toEqual([]);
    expect(
      issues({
        levels: {
          severe: { minRejection: { SHEDDABLE: '100%' } },
          critical: { maxRejection: { SHEDDABLE: '50%' } },
        },
      }),
    ).toEqual([
      [
        'admission.levels.critical.maxRejection.SHEDDABLE',
        'admission.levels.critical.maxRejection.SHEDDABLE (50%) must be at least the floor in force at critical, 100% (a levels.*.minRejection at or below critical)',
      ],
    ]);
    expect(
      issues({
        levels: {
          moderate: { minRejection: { CRITICAL: '30%' } },
          critical: { maxRejection: { CRITICAL: '30%' } },
        },
      }),
    ).toEqual([]);
  });

  it('should reject with reason degradation-level where the floor, not the controller, sets the probability', () => {
    const { controller, tick } = setup({}, () => 0.5);
    tick({}, 'SEVERE');
    expect(controller.admit('SHEDDABLE')).toEqual({
      admitted: false,
      criticality: 'SHEDDABLE',
      code: 'HEADROOM_ADMISSION_REJECTED',
      reason: 'degradation-level',
      probability: 1,
      retryAfterMs: 1000,
      message:
        'SHEDDABLE request rejected: the service is degraded to SEVERE, so 100% of SHEDDABLE requests are shed; retry after 1s',
    });
  });
});
