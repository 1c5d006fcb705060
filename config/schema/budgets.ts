/**
 * Budgets: the contexts an operation can run in, the rules that map spans to them, and the sliding
 * window and evaluation cadence they are judged over.
 */
import { z } from 'zod';
import { criticality } from './admission.ts';
import { withUnitNames } from './unit-names.ts';
import { duration, percent, percentile } from './units.ts';

/** The phases every seed context shares out its budget to. */
const SEED_PHASES = { signal_processing: '20%', routing: '10%', execution: '70%' };

/** One latency context: its budget, the percentile it is judged at, and the phase shares. */
const contextSchema = withUnitNames(
  z.strictObject({
    budget: duration().meta({ description: 'Latency budget of one operation, e.g. 50ms.' }),
    percentile: percentile.prefault('p95').meta({ description: 'Percentile the budget is judged at.' }),
    warningRatio: percent()
      .prefault('80%')
      .meta({ description: 'A verdict is "warning" once the percentile reaches this share of the budget.' }),
    phases: z.record(z.string().min(1), percent()).superRefine(checkPhaseShares).prefault(SEED_PHASES).meta({
      description: 'Share of the budget each named phase may use; the shares add up to at most 100%.',
    }),
    hardDeadlineFactor: z
      .number()
      .min(1)
      .default(2)
      .meta({ description: 'An operation is aborted (its AbortSignal fires) at budget x this factor.' }),
    minSamples: z.number().int().min(1).optional().meta({
      description: 'Fewest samples a window needs for a verdict; defaults to evaluation.minSamples.',
    }),
    evaluationInterval: duration()
      .optional()
      .meta({ description: 'How often this context is evaluated; defaults to evaluation.interval.' }),
    criticality: criticality.optional().meta({
      description:
        'Criticality of operations in this context unless a rule or the code says otherwise; CRITICAL when omitted.',
    }),
  }),
  { budget: 'budgetMs', evaluationInterval: 'evaluationIntervalMs' },
);

function checkPhaseShares(phases: Record<string, number>, ctx: z.core.$RefinementCtx): void {
  const total = Object.values(phases).reduce((sum, share) => sum + share, 0);
  if (total <= 1 + 1e-9) return;
  const shares = Object.entries(phases)
    .map(([name, share]) => `${name} ${round(share * 100)}%`)
    .join(' + ');
  ctx.addIssue({
    code: 'custom',
    message: `phase shares add up to ${round(total * 100)}% (${shares}); they must add up to at most 100%`,
  });
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** The seed contexts: present unless a file redefines them. */
export const SEED_CONTEXTS = {
  emergency: { budget: '50ms' },
  routine: { budget: '200ms' },
  deliberative: { budget: '1000ms' },
} as const;

/**
 * Contexts by name. Files add contexts or redefine a seed one; the seeds not mentioned stay.
 */
export const contextsSchema = z
  .record(z.string().regex(/^[A-Za-z_][\w.-]*$/, 'context names are letters, digits, _ . -'), contextSchema)
  .default({})
  .transform((contexts) => ({ ...SEEDS_PARSED, ...contexts }));

const SEEDS_PARSED = Object.fromEntries(
  Object.entries(SEED_CONTEXTS).map(([name, raw]) => [name, contextSchema.parse(raw)]),
);

/** What a rule matches on a finished span; every given field must match. */
const matchSchema = z.strictObject({
  namespace: z.string().optional().meta({
    description: 'service.namespace of the span\'s service (exact); "" matches services without one.',
  }),
  service: z.string().optional().meta({ description: 'service.name of the span (exact).' }),
  spanName: z.string().optional().meta({ description: 'Exact span name, e.g. "GET /checkout".' }),
  spanNamePattern: z
    .string()
    .optional()
    .superRefine((pattern, ctx) => {
      if (pattern === undefined) return;
      try {
        new RegExp(pattern);
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          message: `not a valid regular expression: ${(error as Error).message}`,
        });
      }
    })
    .meta({ description: 'Regular expression the span name must match, e.g. "^GET /api/".' }),
  kind: z.enum(['internal', 'server', 'client', 'producer', 'consumer']).optional(),
  attributes: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .optional()
    .meta({ description: 'Attributes that must be present with exactly these values, e.g. http.route.' }),
});

/** Maps spans (from track() or auto-instrumentation) to a context; the first matching rule wins. */
export const ruleSchema = withUnitNames(
  z
    .strictObject({
      match: matchSchema,
      context: z.string().meta({ description: 'Name of the context the matched spans are judged in.' }),
      operation: z
        .string()
        .optional()
        .meta({ description: 'Operation name for the series; defaults to the span name.' }),
      criticality: criticality.optional().meta({
        description:
          "Criticality of the matched operations (an HTTP route's requests); wins over the context's.",
      }),
      budget: duration().optional().meta({
        description:
          "Overrides the context's budget for this rule's operation: set `operation` too, unless `match.spanName` names it.",
      }),
    })
    .superRefine(checkBudgetOperation),
  { budget: 'budgetMs' },
);

/**
 * A rule's budget belongs to one operation: spans matched by a pattern or by attributes (an
 * `http.route`) are named by their span names, so without `operation` (or an exact `spanName`)
 * the budget would have nothing to apply to.
 */
function checkBudgetOperation(
  rule: { budget?: unknown; operation?: string; match: { spanName?: string } },
  ctx: z.core.$RefinementCtx,
): void {
  if (rule.budget === undefined || rule.operation !== undefined || rule.match.spanName !== undefined) return;
  ctx.addIssue({
    code: 'custom',
    path: ['budget'],
    message:
      'a rule with a budget must name its operation: add `operation` (e.g. "GET /search"), or match an exact `spanName`; spans matched by a pattern or by attributes have many names',
  });
}

/** The sliding window percentiles are computed over. */
export const windowSchema = withUnitNames(
  z.strictObject({
    length: duration({ minMs: 1000, maxMs: 3_600_000 }).prefault('60s'),
    resolution: duration({ minMs: 100 }).prefault('1s'),
    relativeAccuracy: percent({ max: 10 })
      .prefault('1%')
      .meta({ description: 'Relative error bound of the quantile sketches (DDSketch).' }),
    maxSeries: z.number().int().min(1).default(1000).meta({
      description:
        'Cap on (service, operation, context, phase) series; extra ones share an overflow series. A busy series holds up to about 300 KB.',
    }),
    maxSpanDuration: duration().prefault('1h').meta({
      description:
        'Longest span judged: longer ones are refused by the receiver (partial success) and dropped in embedded mode, counted with reason "duration".',
    }),
  }),
  { length: 'lengthMs', resolution: 'resolutionMs', maxSpanDuration: 'maxSpanDurationMs' },
);

/** How often verdicts are computed, and from how many samples. */
export const evaluationSchema = withUnitNames(
  z.strictObject({
    interval: duration({ minMs: 10 }).prefault('1s'),
    minSamples: z.number().int().min(1).default(20),
  }),
  { interval: 'intervalMs' },
);
