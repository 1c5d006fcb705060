import { describe, expect, it } from 'vitest';
import { boundsAt } from '../../agent/admission/admission-law.ts';
import { configSchema } from '../../config/index.ts';

/** The parsed admission section of `admission` (YAML-shaped input). */
function parse(admission: object) {
  const result = configSchema.safeParse({ admission });
  if (!result.success)
    throw new Error(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
  return result.data.admission;
}

/** The SHEDDABLE floor and cap in force at each degradation level. */
function sheddable(admission: object) {
  const config = parse(admission);
  return Object.fromEntries(
    (['NONE', 'MINIMAL', 'MODERATE', 'SEVERE', 'CRITICAL'] as const).map((level) => {
      const { floors, caps } = boundsAt(config, level);
      return [level, [floors.SHEDDABLE, caps.SHEDDABLE]];
    }),
  );
}

describe('admission: the default SHEDDABLE floor at SEVERE and above follows the cap', () => {
  it('should floor SHEDDABLE at 100 % at SEVERE and CRITICAL by default, and not below SEVERE', () => {
    expect(sheddable({})).toEqual({
      NONE: [0, 1],
      MINIMAL: [0, 1],
      MODERATE: [0, 1],
      SEVERE: [1, 1],
      CRITICAL: [1, 1],
    });
  });

  it('should accept maxRejection.SHEDDABLE lowered alone, the default floor coming down with it', () => {
    expect(sheddable({ maxRejection: { SHEDDABLE: '80%' } })).toMatchObject({
      MODERATE: [0, 0.8],
      SEVERE: [0.8, 0.8],
      CRITICAL: [0.8, 0.8],
    });
    expect(sheddable({ maxRejection: { SHEDDABLE: '0%' } })).toMatchObject({
      SEVERE: [0, 0],
      CRITICAL: [0, 0],
    });
  });

  it('should follow a cap a level sets at, below or above SEVERE', () => {
    expect(sheddable({ levels: { critical: { maxRejection: { SHEDDABLE: '50%' } } } })).toMatchObject({
      SEVERE: [1, 1],
      CRITICAL: [0.5, 0.5],
    });
    expect(sheddable({ levels: { severe: { maxRejection: { SHEDDABLE: '70%' } } } })).toMatchObject({
      MODERATE: [0, 1],
      SEVERE: [0.7, 0.7],
      CRITICAL: [0.7, 0.7],
    });
    expect(sheddable({ levels: { minimal: { maxRejection: { SHEDDABLE: '60%' } } } })).toMatchObject({
      MINIMAL: [0, 0.6],
      SEVERE: [0.6, 0.6],
    });
  });

  it('should keep the default while a level sets other floors or a lower level floors SHEDDABLE', () => {
    expect(sheddable({ levels: { severe: { minRejection: { SHEDDABLE_PLUS: '50%' } } } })).toMatchObject({
      SEVERE: [1, 1],
      CRITICAL: [1, 1],
    });
    expect(sheddable({ levels: { moderate: { minRejection: { SHEDDABLE: '40%' } } } })).toMatchObject({
      MODERATE: [0.4, 1],
      SEVERE: [1, 1],
    });
  });

  it("should take the user's own SHEDDABLE floor at SEVERE or CRITICAL instead (0% turns the default off)", () => {
    expect(sheddable({ levels: { severe: { minRejection: { SHEDDABLE: '0%' } } } })).toMatchObject({
      SEVERE: [0, 1],
      CRITICAL: [0, 1],
    });
    expect(sheddable({ levels: { critical: { minRejection: { SHEDDABLE: '30%' } } } })).toMatchObject({
      SEVERE: [0, 1],
      CRITICAL: [0.3, 1],
    });
    expect(
      sheddable({
        levels: {
          moderate: { minRejection: { SHEDDABLE: '40%' } },
          severe: { minRejection: { SHEDDABLE: '90%' } },
        },
      }),
    ).toMatchObject({
      MODERATE: [0.4, 1],
      SEVERE: [0.9, 1],
    });
  });

  it('should still refuse a floor the user set over the cap in force, naming both', () => {
    const result = configSchema.safeParse({
      admission: {
        maxRejection: { SHEDDABLE: '80%' },
        levels: { severe: { minRejection: { SHEDDABLE: '90%' } } },
      },
    });
    expect(result.success ? [] : result.error.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      [
        'admission.levels.severe.minRejection.SHEDDABLE',
        'admission.levels.severe.minRejection.SHEDDABLE (90%) must be at most the cap in force at severe, 80% (admission.maxRejection or a levels.*.maxRejection at or below severe)',
      ],
    ]);
  });
});
