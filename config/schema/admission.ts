/**
 * Criticality and admission (load shedding). `criticality` gives each class its budget multiplier
 * and says whose baggage may raise a request's class; `admission` steers, per service, the
 * probability that a request of each class is rejected before its work starts: lowest classes
 * first, capped per class, never CRITICAL_PLUS. Classes and their order come from Google SRE
 * ("Handling Overload"); the rising, capped rejection probability from Envoy's admission control.
 */
import { z } from 'zod';
import { DEGRADATION_LEVEL_KEYS } from './degradation.ts';
import { trustedPeerProblems } from './trusted-peers.ts';
import { withUnitNames } from './unit-names.ts';
import { duration, percent, percentile, whenValid } from './units.ts';

/** The criticality classes, most important first (Google SRE's names). */
export const CRITICALITIES = Object.freeze([
  'CRITICAL_PLUS',
  'CRITICAL',
  'SHEDDABLE_PLUS',
  'SHEDDABLE',
] as const);

/** A criticality class name as written in YAML (exact, upper case). */
export const criticality = z.enum(CRITICALITIES, {
  error: (issue) =>
    `must be one of ${CRITICALITIES.join(', ')} (upper case, as Google SRE names them); got ${JSON.stringify(issue.input)}`,
});

/** The classes admission may reject: every class but CRITICAL_PLUS. */
const SHEDDABLE_CLASSES = ['CRITICAL', 'SHEDDABLE_PLUS', 'SHEDDABLE'] as const;

/** A rejection probability per class that admission may reject; CRITICAL_PLUS is refused. */
const rejectionByClass = z
  .strictObject({
    CRITICAL: percent().optional(),
    SHEDDABLE_PLUS: percent().optional(),
    SHEDDABLE: percent().optional(),
  })
  .meta({ description: 'A percentage per class; CRITICAL_PLUS is never rejected, so it has none.' });

const classSchema = z.strictObject({
  // No schema default: the agent tells a multiplier set here from none (then 1, or a deprecated
  // adaptive.qos class's; see agent/budget/class-multipliers.ts).
  budgetMultiplier: z.number().positive().optional().meta({
    description:
      'Budgets of operations in this class are multiplied by this (1 when unset; replaces adaptive.qos).',
  }),
});

export const criticalitySchema = z.strictObject({
  classes: z
    .strictObject({
      CRITICAL_PLUS: classSchema.prefault({}),
      CRITICAL: classSchema.prefault({}),
      SHEDDABLE_PLUS: classSchema.prefault({}),
      SHEDDABLE: classSchema.prefault({}),
    })
    .prefault({}),
  trustedPeers: z.array(z.string().min(1)).superRefine(checkTrustedPeers).default([]).meta({
    description:
      "Addresses or CIDR blocks (10.0.0.7, 10.0.0.0/8, ::1, fd00::/8) whose incoming baggage sets a request's class as it is; from anyone else baggage can only lower it.",
  }),
});

const levelSchema = z.strictObject({
  minRejection: rejectionByClass.prefault({}).meta({
    description: 'Floor of the rejection probability at this level and above, e.g. SHEDDABLE: 100%.',
  }),
  maxRejection: rejectionByClass.prefault({}).meta({
    description: 'Cap of the rejection probability at this level and above (raises or lowers the base cap).',
  }),
});

/**
 * Client-side adaptive throttling (Google SRE, "Handling Overload", "Client-side throttling"): per
 * target and class, a client rejects a new call locally with probability
 * max(0, (requests - k x accepts) / (requests + 1)) over the last `window`.
 */
const clientThrottleSchema = withUnitNames(
  z.strictObject({
    enabled: z.boolean().default(true).meta({
      description:
        'false: headroom.throttle() sends every call (still counted); the code wrapping calls is the opt-in, this is the kill switch.',
    }),
    k: z.number().min(1).default(2).meta({
      description:
        'Calls keep going out until requests reach k x accepts; lower is more aggressive (1.1: about 1 refusal per 10 accepts). The SRE book prefers 2.',
    }),
    window: duration({ minMs: 1000, maxMs: 3_600_000 }).prefault('2m').meta({
      description: 'History the requests and accepts are counted over (the SRE book: two minutes).',
    }),
    maxTargets: z.number().int().min(1).default(100).meta({
      description:
        'Most targets with their own throttle; calls to targets beyond share target "__overflow__", which never throttles.',
    }),
  }),
  { window: 'windowMs' },
);

export const admissionSchema = withUnitNames(
  z
    .strictObject({
      enabled: z.boolean().default(true).meta({
        description: 'false: admit() and the HTTP middleware admit every request; probabilities stay 0.',
      }),
      percentile: percentile.prefault('p95').meta({
        description: "Percentile of each class's duration/budget ratio the controller steers.",
      }),
      window: duration({ minMs: 1000, maxMs: 300_000 })
        .prefault('3s')
        .meta({ description: 'Sliding window of the per-class ratios the controller reads.' }),
      minSamples: z.number().int().min(1).default(20).meta({
        description: 'Fewest samples a protected class needs in the window before the controller moves.',
      }),
      targetRatio: z.number().positive().default(1).meta({
        description:
          'Protected classes are steered to this percentile/budget ratio (1 = exactly the budget).',
      }),
      maxStep: percent()
        .refine((step) => step > 0, {
          error: 'must be more than 0%: with a step of 0% admission would never shed (e.g. 10%)',
        })
        .prefault('10%')
        .meta({
          description:
            'Most the latency signal moves a rejection probability in one evaluation tick (more than 0%); where admit() runs in the process, a backlog its flow measures sizes the step instead.',
        }),
      recovery: withUnitNames(
        z.strictObject({
          improvement: percent()
            .refine((improvement) => improvement < 1, {
              error:
                'must be less than 100%: the exit ratio would be 0 and shedding would never ease (e.g. 25%)',
            })
            .prefault('25%')
            .meta({
              description:
                'The ratio must be this far below targetRatio before shedding eases (less than 100%).',
            }),
          sustain: duration().prefault('5s').meta({ description: 'How long the improvement must hold.' }),
        }),
        { sustain: 'sustainMs' },
      ).prefault({}),
      retryAfter: duration({ minMs: 1000 }).prefault('1s').meta({
        description: 'Retry-After of a rejected HTTP request (whole seconds, rounded up).',
      }),
      maxRejection: z
        .strictObject({
          CRITICAL: percent().prefault('50%'),
          SHEDDABLE_PLUS: percent().prefault('90%'),
          SHEDDABLE: percent().prefault('100%'),
        })
        .prefault({})
        .meta({ description: "Cap of each class's rejection probability below any level's own cap." }),
      levels: z
        .strictObject({
          minimal: levelSchema.prefault({}),
          moderate: levelSchema.prefault({}),
          severe: levelSchema.prefault({}),
          critical: levelSchema.prefault({}),
        })
        .prefault({})
        .meta({
          description:
            'Per degradation level (and every level above it): floors and caps of the rejection probabilities. Unless levels.severe or levels.critical sets its own SHEDDABLE floor, SHEDDABLE is floored at its cap at SEVERE and above.',
        }),
      clientThrottle: clientThrottleSchema.prefault({}).meta({
        description:
          "Client-side adaptive throttling of outbound calls (headroom.throttle(target)): the SRE book's formula over the backend's accepts.",
      }),
    })
    .superRefine(checkFloorsUnderCaps, whenValid('maxRejection', 'levels'))
    .transform(withDefaultSevereFloor),
  { window: 'windowMs', retryAfter: 'retryAfterMs' },
);

/** Each entry must be an address or CIDR block node:net's BlockList takes; the issue names the entry. */
function checkTrustedPeers(entries: string[], ctx: z.core.$RefinementCtx): void {
  for (const [index, message] of trustedPeerProblems(entries))
    ctx.addIssue({ code: 'custom', path: [index], message });
}

type Rejections = Partial<Record<(typeof SHEDDABLE_CLASSES)[number], number>>;
type LevelRejections = { minRejection: Rejections; maxRejection: Rejections };
type Levels = Record<(typeof DEGRADATION_LEVEL_KEYS)[number], LevelRejections>;

/**
 * The default floor (the issue's "SHEDDABLE may reach 100 % at SEVERE and above"): SHEDDABLE is
 * floored at its cap in force at SEVERE, and at CRITICAL at the cap in force there, unless the user
 * set a SHEDDABLE floor at either level (`0%` turns the default off). Following the cap, not a
 * fixed 100 %, lets a user lower `maxRejection.SHEDDABLE` alone.
 */
function withDefaultSevereFloor<T extends { maxRejection: Required<Rejections>; levels: Levels }>(
  admission: T,
): T {
  const { levels } = admission;
  if (
    levels.severe.minRejection.SHEDDABLE !== undefined ||
    levels.critical.minRejection.SHEDDABLE !== undefined
  )
    return admission;
  let cap = admission.maxRejection.SHEDDABLE;
  const floored: Partial<Levels> = {};
  for (const level of DEGRADATION_LEVEL_KEYS) {
    cap = levels[level].maxRejection.SHEDDABLE ?? cap;
    if (level !== 'severe' && level !== 'critical') continue;
    const own = levels[level];
    floored[level] = { ...own, minRejection: { ...own.minRejection, SHEDDABLE: cap } };
  }
  return { ...admission, levels: { ...levels, ...floored } };
}

/** At each level, with what lower levels set carried up, a floor must not exceed the cap. */
function checkFloorsUnderCaps(
  admission: { maxRejection: Required<Rejections>; levels: Levels },
  ctx: z.core.$RefinementCtx,
): void {
  const caps: Rejections = { ...admission.maxRejection };
  const floors: Rejections = {};
  for (const level of DEGRADATION_LEVEL_KEYS) {
    const own = admission.levels[level];
    Object.assign(caps, own.maxRejection);
    Object.assign(floors, own.minRejection);
    for (const criticality of SHEDDABLE_CLASSES) {
      const floor = floors[criticality];
      const cap = caps[criticality] as number;
      if (floor === undefined || floor <= cap) continue;
      const byFloor = own.minRejection[criticality] !== undefined;
      // Neither set here: both carried up, and reported at the level where they first crossed.
      if (!byFloor && own.maxRejection[criticality] === undefined) continue;
      // A floor carried up from a lower level is over a cap this level lowers: the cap is the culprit.
      const byCap = !byFloor;
      ctx.addIssue({
        code: 'custom',
        path: ['levels', level, byCap ? 'maxRejection' : 'minRejection', criticality],
        message: byCap
          ? `admission.levels.${level}.maxRejection.${criticality} (${cap * 100}%) must be at least the floor in force at ${level}, ${floor * 100}% (a levels.*.minRejection at or below ${level})`
          : `admission.levels.${level}.minRejection.${criticality} (${floor * 100}%) must be at most the cap in force at ${level}, ${cap * 100}% (admission.maxRejection or a levels.*.maxRejection at or below ${level})`,
      });
    }
  }
}
