import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { classMultipliers, legacyQosWarning } from '../../../agent/budget/class-multipliers.ts';
import type { HeadroomConfigInput } from '../../../config/index.ts';
import { configOf, testAgent } from '../../helpers/agent.ts';

const ALL_ONE = { CRITICAL_PLUS: 1, CRITICAL: 1, SHEDDABLE_PLUS: 1, SHEDDABLE: 1 };

function mapped(input: HeadroomConfigInput) {
  const result = classMultipliers(configOf(input));
  return { multipliers: result.multipliers, legacy: result.legacy };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('classMultipliers', () => {
  it('should put every class at 1 when nothing is configured, with nothing to report', () => {
    expect(mapped({})).toEqual({ multipliers: ALL_ONE, legacy: [] });
    expect(legacyQosWarning(classMultipliers(configOf({})))).toBeUndefined();
  });

  it('should take criticality.classes as written, 1 for the classes left out', () => {
    expect(
      mapped({
        criticality: {
          classes: { CRITICAL_PLUS: { budgetMultiplier: 0.5 }, SHEDDABLE: { budgetMultiplier: 3 } },
        },
      }),
    ).toEqual({ multipliers: { ...ALL_ONE, CRITICAL_PLUS: 0.5, SHEDDABLE: 3 }, legacy: [] });
  });

  it('should give CRITICAL the multiplier of a legacy default class alone, whatever its name', () => {
    expect(mapped({ adaptive: { qos: { classes: { premium: 0.8 }, default: 'premium' } } })).toEqual({
      multipliers: { ...ALL_ONE, CRITICAL: 0.8 },
      legacy: ['adaptive.qos.default "premium" (x0.8) -> criticality.classes.CRITICAL.budgetMultiplier'],
    });
    // The schema's own default shape, written out: still the deprecated key, reported.
    expect(mapped({ adaptive: { qos: {} } })).toEqual({
      multipliers: ALL_ONE,
      legacy: ['adaptive.qos.default "standard" (x1) -> criticality.classes.CRITICAL.budgetMultiplier'],
    });
  });

  it('should map a class named like a criticality class in any case, and report the unknown names as ignored', () => {
    expect(
      mapped({
        adaptive: {
          qos: {
            classes: {
              standard: 1.1,
              sheddable: 2,
              Sheddable_Plus: 1.5,
              CRITICAL_PLUS: 0.5,
              batch: 4,
              'critical-plus': 0.25,
            },
            default: 'standard',
          },
        },
      }),
    ).toEqual({
      multipliers: { CRITICAL_PLUS: 0.5, CRITICAL: 1.1, SHEDDABLE_PLUS: 1.5, SHEDDABLE: 2 },
      legacy: [
        'adaptive.qos.default "standard" (x1.1) -> criticality.classes.CRITICAL.budgetMultiplier',
        'adaptive.qos.classes.sheddable (x2) -> criticality.classes.SHEDDABLE.budgetMultiplier',
        'adaptive.qos.classes.Sheddable_Plus (x1.5) -> criticality.classes.SHEDDABLE_PLUS.budgetMultiplier',
        'adaptive.qos.classes.CRITICAL_PLUS (x0.5) -> criticality.classes.CRITICAL_PLUS.budgetMultiplier',
        'adaptive.qos.classes.batch (x4) ignored: no criticality class has that name (CRITICAL_PLUS, CRITICAL, SHEDDABLE_PLUS, SHEDDABLE); it never applied, no API passed a QoS class',
        'adaptive.qos.classes.critical-plus (x0.25) ignored: no criticality class has that name (CRITICAL_PLUS, CRITICAL, SHEDDABLE_PLUS, SHEDDABLE); it never applied, no API passed a QoS class',
      ],
    });
  });

  it("should keep CRITICAL on the default class's multiplier, the one every budget had, over a class named critical", () => {
    expect(mapped({ adaptive: { qos: { classes: { gold: 0.9, critical: 2 }, default: 'gold' } } })).toEqual({
      multipliers: { ...ALL_ONE, CRITICAL: 0.9 },
      legacy: [
        'adaptive.qos.default "gold" (x0.9) -> criticality.classes.CRITICAL.budgetMultiplier',
        "adaptive.qos.classes.critical (x2) ignored: CRITICAL takes adaptive.qos.default's multiplier, the one that applied to every budget",
      ],
    });
    // A default class named like a criticality class sets CRITICAL and its namesake.
    expect(
      mapped({ adaptive: { qos: { classes: { Critical: 1.3, sheddable: 3 }, default: 'sheddable' } } }),
    ).toEqual({
      multipliers: { ...ALL_ONE, CRITICAL: 3, SHEDDABLE: 3 },
      legacy: [
        'adaptive.qos.default "sheddable" (x3) -> criticality.classes.CRITICAL.budgetMultiplier',
        "adaptive.qos.classes.Critical (x1.3) ignored: CRITICAL takes adaptive.qos.default's multiplier, the one that applied to every budget",
        'adaptive.qos.classes.sheddable (x3) -> criticality.classes.SHEDDABLE.budgetMultiplier',
      ],
    });
  });

  it('should let criticality.classes win when both sections set a class, and say so', () => {
    expect(
      mapped({
        adaptive: {
          qos: { classes: { standard: 0.8, sheddable: 2, sheddable_plus: 1.5 }, default: 'standard' },
        },
        criticality: { classes: { CRITICAL: { budgetMultiplier: 1.2 }, SHEDDABLE: { budgetMultiplier: 4 } } },
      }),
    ).toEqual({
      multipliers: { ...ALL_ONE, CRITICAL: 1.2, SHEDDABLE: 4, SHEDDABLE_PLUS: 1.5 },
      legacy: [
        'adaptive.qos.default "standard" (x0.8) ignored: criticality.classes.CRITICAL.budgetMultiplier is set',
        'adaptive.qos.classes.sheddable (x2) ignored: criticality.classes.SHEDDABLE.budgetMultiplier is set',
        'adaptive.qos.classes.sheddable_plus (x1.5) -> criticality.classes.SHEDDABLE_PLUS.budgetMultiplier',
      ],
    });
  });

  it('should still refuse a legacy default class that is not among the classes', () => {
    expect(() => configOf({ adaptive: { qos: { classes: { gold: 1 }, default: 'toString' } } })).toThrow(
      'adaptive.qos.default "toString" is not one of adaptive.qos.classes (gold)',
    );
  });
});

describe('the adaptive.qos deprecation warning', () => {
  it('should name every key, where it went and what to write, once per configuration applied', () => {
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
    const { agent } = testAgent({
      adaptive: { qos: { classes: { standard: 0.8, batch: 2 }, default: 'standard' } },
    });
    const message =
      'headroom: adaptive.qos is deprecated (QoS classes are now the criticality classes\' budget multipliers): adaptive.qos.default "standard" (x0.8) -> criticality.classes.CRITICAL.budgetMultiplier; adaptive.qos.classes.batch (x2) ignored: no criticality class has that name (CRITICAL_PLUS, CRITICAL, SHEDDABLE_PLUS, SHEDDABLE); it never applied, no API passed a QoS class. Write criticality.classes.<CLASS>.budgetMultiplier instead and remove adaptive.qos (README, "Migrating from adaptive.qos").';
    expect(warn.mock.calls).toEqual([[message]]);
    expect(agent.budgets.effectiveBudgetMs(100, 'routine')).toBeCloseTo(80, 10);
    agent.reconfigure(configOf({ criticality: { classes: { CRITICAL: { budgetMultiplier: 0.8 } } } }));
    expect(warn.mock.calls).toEqual([[message]]);
    expect(agent.budgets.effectiveBudgetMs(100, 'routine')).toBeCloseTo(80, 10);
  });
});
