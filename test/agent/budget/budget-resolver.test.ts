import { afterEach, describe, expect, it, vi } from 'vitest';
import { BudgetResolver } from '../../../agent/budget/budget-resolver.ts';
import { classMultipliers } from '../../../agent/budget/class-multipliers.ts';
import { ModifierSet } from '../../../agent/budget/modifiers.ts';
import { CRITICALITIES, configSchema, type HeadroomConfigInput } from '../../../config/index.ts';
import type { InvalidArgumentError } from '../../../errors.ts';

type AdaptiveInput = NonNullable<HeadroomConfigInput['adaptive']>;

const ADAPTIVE: AdaptiveInput = {
  modifiers: {
    'black-friday': { factor: 0.8, contexts: ['routine'] },
    maintenance: { factor: 2 },
    'slow-replica': { factor: 1.25, contexts: ['routine', 'deliberative', 'routine'] },
  },
};

/** CRITICAL_PLUS tighter, SHEDDABLE looser, the others at 1. */
const CLASSES = { CRITICAL_PLUS: { budgetMultiplier: 0.8 }, SHEDDABLE: { budgetMultiplier: 1.5 } };

function setup(overrides: AdaptiveInput = {}, loadFactor = 1) {
  const parsed = configSchema.parse({
    adaptive: { ...ADAPTIVE, ...overrides },
    criticality: { classes: CLASSES },
  });
  const config = parsed.adaptive;
  const load = { factor: loadFactor };
  const modifiers = new ModifierSet({ config });
  const classes = classMultipliers(parsed).multipliers;
  return { load, modifiers, resolver: new BudgetResolver({ config, classes, load, modifiers }) };
}

/** A resolution with float fields compared to 10 decimals (the product order is not part of the contract). */
function resolution(
  budgetMs: number,
  multiplier: number,
  parts: { load: number; modifiers: number; classMultiplier: number },
) {
  return {
    budgetMs: expect.closeTo(budgetMs, 10),
    multiplier: expect.closeTo(multiplier, 10),
    load: expect.closeTo(parts.load, 10),
    modifiers: expect.closeTo(parts.modifiers, 10),
    classMultiplier: expect.closeTo(parts.classMultiplier, 10),
    clamped: false,
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('BudgetResolver', () => {
  it('should use the base budget with every factor at 1 by default', () => {
    const { resolver } = setup();
    expect(resolver.resolve(200, 'routine')).toEqual({
      budgetMs: 200,
      multiplier: 1,
      load: 1,
      modifiers: 1,
      classMultiplier: 1,
      clamped: false,
    });
  });

  it('should put every class at 1 when no multipliers are given', () => {
    const config = configSchema.parse({}).adaptive;
    const resolver = new BudgetResolver({
      config,
      load: { factor: 1.5 },
      modifiers: new ModifierSet({ config }),
    });
    expect(
      CRITICALITIES.map((criticality) => resolver.effectiveBudgetMs(100, 'routine', criticality)),
    ).toEqual([150, 150, 150, 150]);
  });

  it('should multiply load, the modifiers of the context and the class multiplier', () => {
    const { modifiers, resolver } = setup({}, 1.5);
    modifiers.set('black-friday');
    expect(resolver.resolve(200, 'routine', 'CRITICAL_PLUS')).toEqual(
      resolution(192, 0.96, { load: 1.5, modifiers: 0.8, classMultiplier: 0.8 }),
    );
    expect(resolver.resolve(50, 'emergency', 'CRITICAL_PLUS')).toEqual(
      resolution(60, 1.2, { load: 1.5, modifiers: 1, classMultiplier: 0.8 }),
    );
    expect(resolver.resolve(50, 'emergency', 'SHEDDABLE_PLUS')).toEqual(
      resolution(75, 1.5, { load: 1.5, modifiers: 1, classMultiplier: 1 }),
    );
  });

  it('should combine modifiers for all contexts with modifiers for some, counting a listed context once', () => {
    const { modifiers, resolver } = setup();
    modifiers.set('maintenance');
    modifiers.set('slow-replica');
    expect(resolver.resolve(200, 'routine')).toEqual(
      resolution(500, 2.5, { load: 1, modifiers: 2.5, classMultiplier: 1 }),
    );
    expect(resolver.resolve(50, 'emergency')).toEqual(
      resolution(100, 2, { load: 1, modifiers: 2, classMultiplier: 1 }),
    );
  });

  it('should follow the load factor as it changes', () => {
    const { load, resolver } = setup();
    load.factor = 1.25;
    expect(resolver.effectiveBudgetMs(200, 'routine')).toBe(250);
    load.factor = 1;
    expect(resolver.effectiveBudgetMs(200, 'routine')).toBe(200);
  });

  it('should clamp the whole multiplier at clamp.max', () => {
    const { modifiers, resolver } = setup({}, 2);
    modifiers.set('maintenance');
    expect(resolver.resolve(200, 'routine', 'SHEDDABLE')).toEqual({
      budgetMs: 800,
      multiplier: 4,
      load: 2,
      modifiers: 2,
      classMultiplier: 1.5,
      clamped: true,
    });
  });

  it('should clamp the whole multiplier at clamp.min', () => {
    const { modifiers, resolver } = setup({ clamp: { min: 0.9, max: 1.5 } });
    modifiers.set('black-friday');
    expect(resolver.resolve(200, 'routine', 'CRITICAL_PLUS')).toEqual({
      budgetMs: 180,
      multiplier: 0.9,
      load: 1,
      modifiers: 0.8,
      classMultiplier: 0.8,
      clamped: true,
    });
  });

  it('should not count a multiplier exactly at a bound as clamped', () => {
    const { resolver } = setup({ clamp: { min: 0.8, max: 1.5 } });
    expect(resolver.resolve(100, 'routine', 'CRITICAL_PLUS')).toMatchObject({
      multiplier: 0.8,
      clamped: false,
    });
    expect(resolver.resolve(100, 'routine', 'SHEDDABLE')).toMatchObject({ multiplier: 1.5, clamped: false });
  });

  it("should use CRITICAL's multiplier when no class is given", () => {
    const { resolver } = setup({ qos: { classes: { standard: 1, premium: 0.8 }, default: 'premium' } });
    expect(resolver.resolve(100, 'routine')).toEqual(
      resolution(80, 0.8, { load: 1, modifiers: 1, classMultiplier: 0.8 }),
    );
    expect(resolver.effectiveBudgetMs(100, 'routine')).toBe(
      resolver.effectiveBudgetMs(100, 'routine', 'CRITICAL'),
    );
  });

  it('should give the same budget from effectiveBudgetMs as from resolve', () => {
    const { modifiers, resolver } = setup({}, 1.75);
    modifiers.set('black-friday');
    modifiers.set('slow-replica');
    for (const context of ['routine', 'emergency', 'deliberative']) {
      for (const criticality of [undefined, ...CRITICALITIES]) {
        for (const baseBudgetMs of [0, 1, 50, 200, 1000, Number.POSITIVE_INFINITY]) {
          const resolved = resolver.resolve(baseBudgetMs, context, criticality).budgetMs;
          expect(resolver.effectiveBudgetMs(baseBudgetMs, context, criticality)).toBe(resolved);
        }
      }
    }
  });

  it("should give admission's budget as the effective budget at load 1, whatever the load", () => {
    for (const loadFactor of [0.5, 1, 1.5, 2, 3]) {
      const { modifiers, resolver } = setup({ clamp: { min: 0.5, max: 2.2 } }, loadFactor);
      // The same modifiers on a resolver at load 1: the budget admission must get under any load.
      for (const active of [[], ['black-friday'], ['maintenance', 'slow-replica']]) {
        for (const name of active) modifiers.set(name);
        const { modifiers: idleModifiers, resolver: atRest } = setup({ clamp: { min: 0.5, max: 2.2 } }, 1);
        for (const name of active) idleModifiers.set(name);
        for (const context of ['routine', 'emergency', 'deliberative']) {
          for (const criticality of [undefined, ...CRITICALITIES]) {
            for (const baseBudgetMs of [0, 1, 50, 200, Number.POSITIVE_INFINITY]) {
              expect(resolver.loadFreeBudgetMs(baseBudgetMs, context, criticality)).toBe(
                atRest.effectiveBudgetMs(baseBudgetMs, context, criticality),
              );
            }
          }
        }
        for (const name of active) modifiers.clear(name);
      }
    }
  });

  it('should clamp the load-free budget and use the base exactly when adaptive scaling is disabled', () => {
    const { modifiers, resolver } = setup({ clamp: { min: 0.9, max: 2 } }, 2);
    modifiers.set('maintenance'); // x2, with SHEDDABLE x1.5 = 3, clamped to 2
    expect(
      [undefined, ...CRITICALITIES].map((criticality) =>
        resolver.loadFreeBudgetMs(100, 'routine', criticality),
      ),
    ).toEqual([200, 160, 200, 200, 200]);
    modifiers.clear('maintenance'); // CRITICAL_PLUS x0.8, clamped to 0.9; the load 2 never counts
    expect(
      [undefined, ...CRITICALITIES].map((criticality) =>
        resolver.loadFreeBudgetMs(100, 'routine', criticality),
      ),
    ).toEqual([100, 90, 100, 100, 150]);
    const { modifiers: off, resolver: disabled } = setup({ enabled: false }, 2);
    off.set('maintenance');
    expect(
      CRITICALITIES.map((criticality) => disabled.loadFreeBudgetMs(100, 'routine', criticality)),
    ).toEqual([100, 100, 100, 100]);
  });

  it('should use base budgets exactly when adaptive scaling is disabled, class multiplier and clamp included', () => {
    const { modifiers, resolver } = setup({ enabled: false, clamp: { min: 1.5, max: 2 } }, 3);
    modifiers.set('black-friday');
    expect(resolver.resolve(200, 'routine', 'SHEDDABLE')).toEqual({
      budgetMs: 200,
      multiplier: 1,
      load: 1,
      modifiers: 1,
      classMultiplier: 1,
      clamped: false,
    });
    expect(resolver.effectiveBudgetMs(200, 'routine', 'SHEDDABLE')).toBe(200);
  });
});

describe('ModifierSet', () => {
  it('should activate and clear modifiers, keeping activation order', () => {
    const { modifiers } = setup();
    expect([
      modifiers.set('slow-replica'),
      modifiers.set('maintenance'),
      modifiers.set('slow-replica'),
    ]).toEqual([true, true, true]);
    expect(modifiers.active()).toEqual(['slow-replica', 'maintenance']);
    expect([modifiers.has('maintenance'), modifiers.has('black-friday')]).toEqual([true, false]);
    expect(modifiers.multiplierFor('deliberative')).toBe(2.5);
    expect([modifiers.clear('maintenance'), modifiers.clear('maintenance')]).toEqual([true, true]);
    expect(modifiers.active()).toEqual(['slow-replica']);
    expect([modifiers.multiplierFor('deliberative'), modifiers.multiplierFor('emergency')]).toEqual([
      1.25, 1,
    ]);
    modifiers.clear('slow-replica');
    expect([modifiers.active(), modifiers.multiplierFor('routine')]).toEqual([[], 1]);
  });

  it('should hand out a frozen list of active names', () => {
    const { modifiers } = setup();
    modifiers.set('maintenance');
    expect(Object.isFrozen(modifiers.active())).toBe(true);
  });

  /** What `fn` threw, as the fields a caller sees. */
  function thrown(fn: () => unknown): unknown {
    try {
      fn();
    } catch (error) {
      const e = error as InvalidArgumentError;
      return { class: e.constructor.name, code: e.code, argument: e.argument, message: e.message };
    }
    return 'nothing thrown';
  }

  it('should throw a coded error naming the known modifiers and the closest one for an unknown name', () => {
    const { modifiers } = setup();
    modifiers.set('maintenance');
    const error = {
      class: 'InvalidArgumentError',
      code: 'HEADROOM_ERR_API_INVALID_ARGUMENT',
      argument: 'name',
      message:
        'unknown adaptive modifier "maintenence" (did you mean "maintenance"?); adaptive.modifiers has: black-friday, maintenance, slow-replica',
    };
    expect([
      thrown(() => modifiers.set('maintenence')),
      thrown(() => modifiers.clear('maintenence')),
      modifiers.has('maintenence'),
    ]).toEqual([error, error, false]);
    expect(thrown(() => modifiers.set('nope'))).toEqual({
      ...error,
      message:
        'unknown adaptive modifier "nope"; adaptive.modifiers has: black-friday, maintenance, slow-replica',
    });
    expect(modifiers.active()).toEqual(['maintenance']);
  });

  it('should say when no modifier is configured', () => {
    const modifiers = new ModifierSet({ config: configSchema.parse({}).adaptive });
    expect(thrown(() => modifiers.set('anything'))).toEqual({
      class: 'InvalidArgumentError',
      code: 'HEADROOM_ERR_API_INVALID_ARGUMENT',
      argument: 'name',
      message: 'unknown adaptive modifier "anything"; adaptive.modifiers has: (none configured)',
    });
  });
});
