/**
 * Adaptive scaling: effective budget = base x load factor x context modifiers x the budget
 * multiplier of the operation's criticality class (criticality.classes), clamped. Load factors come from Node's own overload signals (event-loop delay p99, event-loop
 * utilization) and process CPU.
 */
import { z } from 'zod';
import { withUnitNames } from './unit-names.ts';
import { duration, percent, whenValid } from './units.ts';

/** A load level applies when any one of its thresholds is reached. */
const loadLevelSchema = withUnitNames(
  z.strictObject({
    name: z.string().min(1),
    eventLoopDelayP99: duration().optional().meta({ description: 'Event-loop delay p99 at or above this.' }),
    eventLoopUtilization: percent()
      .optional()
      .meta({ description: 'Event-loop utilization at or above this.' }),
    cpu: percent({ max: 6400 })
      .optional()
      .meta({ description: 'Process CPU (100% = one core) at or above this.' }),
    factor: z
      .number()
      .positive()
      .meta({ description: 'Budgets are multiplied by this while the level holds.' }),
  }),
  { eventLoopDelayP99: 'eventLoopDelayP99Ms' },
);

const DEFAULT_LOAD_LEVELS = [
  { name: 'elevated', eventLoopDelayP99: '20ms', eventLoopUtilization: '70%', factor: 1.2 },
  { name: 'high', eventLoopDelayP99: '50ms', eventLoopUtilization: '85%', factor: 1.5 },
  { name: 'overloaded', eventLoopDelayP99: '200ms', eventLoopUtilization: '95%', factor: 2 },
];

const loadSchema = withUnitNames(
  z
    .strictObject({
      sampleInterval: duration({ minMs: 100 }).prefault('1s'),
      levels: z.array(loadLevelSchema).prefault(DEFAULT_LOAD_LEVELS),
      minFactor: z.number().positive().default(1),
      maxFactor: z.number().positive().default(2),
      maxChangePerSecond: z
        .number()
        .positive()
        .default(0.25)
        .meta({ description: 'Rate limit: how far the load factor may move per second.' }),
    })
    .superRefine(
      (load, ctx) => {
        if (load.minFactor > load.maxFactor) {
          ctx.addIssue({
            code: 'custom',
            path: ['minFactor'],
            message: `adaptive.load.minFactor (${load.minFactor}) must be at most adaptive.load.maxFactor (${load.maxFactor})`,
          });
        }
        load.levels.forEach((level, index) => {
          const none = level.eventLoopDelayP99Ms === undefined && level.eventLoopUtilization === undefined;
          if (none && level.cpu === undefined) {
            ctx.addIssue({
              code: 'custom',
              path: ['levels', index],
              message: 'a load level needs at least one of eventLoopDelayP99, eventLoopUtilization, cpu',
            });
          }
        });
      },
      whenValid('minFactor', 'maxFactor', 'levels'),
    ),
  { sampleInterval: 'sampleIntervalMs' },
);

/** A named modifier the service switches on at run time (e.g. during a sale or maintenance). */
const modifierSchema = z.strictObject({
  factor: z.number().positive(),
  contexts: z
    .array(z.string())
    .optional()
    .meta({ description: 'Contexts the modifier applies to; all when omitted.' }),
});

/**
 * Deprecated: the QoS classes became the criticality classes' budget multipliers
 * (`criticality.classes.<CLASS>.budgetMultiplier`); agent/budget/class-multipliers.ts maps them.
 */
const qosSchema = z
  .strictObject({
    classes: z.record(z.string().min(1), z.number().positive()).default({ standard: 1 }),
    default: z.string().prefault('standard'),
  })
  .meta({
    deprecated: true,
    description:
      "Deprecated: use criticality.classes.<CLASS>.budgetMultiplier. The default class's multiplier applies to CRITICAL (unless criticality.classes.CRITICAL sets one); a class named like a criticality class (any case) to that class; any other is ignored.",
  });

export const adaptiveSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    load: loadSchema.prefault({}),
    modifiers: z.record(z.string().min(1), modifierSchema).default({}),
    qos: qosSchema.optional(),
    clamp: z
      .strictObject({ min: z.number().positive().default(0.5), max: z.number().positive().default(4) })
      .prefault({})
      .meta({ description: 'Bounds of the whole multiplier applied to a base budget.' }),
  })
  .superRefine(
    (adaptive, ctx) => {
      if (adaptive.qos !== undefined && !Object.hasOwn(adaptive.qos.classes, adaptive.qos.default)) {
        ctx.addIssue({
          code: 'custom',
          path: ['qos', 'default'],
          message: `adaptive.qos.default "${adaptive.qos.default}" is not one of adaptive.qos.classes (${Object.keys(adaptive.qos.classes).join(', ')})`,
        });
      }
      if (adaptive.clamp.min > adaptive.clamp.max) {
        ctx.addIssue({
          code: 'custom',
          path: ['clamp', 'min'],
          message: `adaptive.clamp.min (${adaptive.clamp.min}) must be at most adaptive.clamp.max (${adaptive.clamp.max})`,
        });
      }
    },
    whenValid('qos', 'clamp'),
  );
