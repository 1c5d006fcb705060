/**
 * Degradation: the levels a service steps through under sustained violations, the features each
 * switches off, and the hysteresis that keeps it from flapping.
 */
import { z } from 'zod';
import { withUnitNames } from './unit-names.ts';
import { duration, formatMs, percent, whenValid } from './units.ts';

/** Levels above NONE, in order. */
export const DEGRADATION_LEVEL_KEYS = ['minimal', 'moderate', 'severe', 'critical'] as const;

const levelSchema = (enterRatio: number) =>
  z.strictObject({
    disable: z
      .array(z.string().min(1))
      .default([])
      .meta({ description: 'Features switched off at this level (and every level above it).' }),
    enterRatio: z
      .number()
      .positive()
      .default(enterRatio)
      .meta({ description: 'Escalate to this level when the worst observed/budget ratio reaches this.' }),
  });

export const degradationSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    levels: z
      .strictObject({
        minimal: levelSchema(1).prefault({}),
        moderate: levelSchema(1.25).prefault({}),
        severe: levelSchema(1.5).prefault({}),
        critical: levelSchema(2).prefault({}),
      })
      .prefault({}),
    escalation: z
      .strictObject({
        ticks: z
          .number()
          .int()
          .min(1)
          .default(3)
          .meta({ description: 'Consecutive violating evaluations before escalating.' }),
      })
      .prefault({}),
    recovery: withUnitNames(
      z.strictObject({
        improvement: percent()
          .prefault('25%')
          .meta({ description: 'Ratio must fall this far below the level entry ratio to recover.' }),
        sustain: duration().prefault('30s').meta({ description: 'How long the improvement must hold.' }),
        minDwell: duration({ minMs: 0 })
          .prefault('10s')
          .meta({ description: 'Minimum time spent at a level.' }),
        maxDuration: duration()
          .prefault('10m')
          .meta({ description: 'After this long at a level, a recovery attempt is forced.' }),
      }),
      { sustain: 'sustainMs', minDwell: 'minDwellMs', maxDuration: 'maxDurationMs' },
    ).prefault({}),
  })
  .superRefine(
    (degradation, ctx) => {
      const keys = DEGRADATION_LEVEL_KEYS;
      for (let i = 1; i < keys.length; i++) {
        const lower = degradation.levels[keys[i - 1] as (typeof keys)[number]];
        const upper = degradation.levels[keys[i] as (typeof keys)[number]];
        if (upper.enterRatio < lower.enterRatio) {
          ctx.addIssue({
            code: 'custom',
            path: ['levels', keys[i] as string, 'enterRatio'],
            message: `degradation.levels.${keys[i]}.enterRatio (${upper.enterRatio}) must be at least degradation.levels.${keys[i - 1]}.enterRatio (${lower.enterRatio})`,
          });
        }
      }
      const { minDwellMs: minDwell, maxDurationMs: maxDuration } = degradation.recovery;
      if (minDwell > maxDuration) {
        ctx.addIssue({
          code: 'custom',
          path: ['recovery', 'minDwell'],
          message: `degradation.recovery.minDwell (${formatMs(minDwell)}) must be at most degradation.recovery.maxDuration (${formatMs(maxDuration)})`,
        });
      }
    },
    whenValid('levels', 'recovery'),
  );
