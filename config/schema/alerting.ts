/**
 * SLOs and alerting: objectives over budgets, the rules that fire, and where alerts go.
 */
import { z } from 'zod';
import { withUnitNames } from './unit-names.ts';
import { duration, percent, percentile, whenValid } from './units.ts';

export const sloSchema = withUnitNames(
  z
    .strictObject({
      name: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'SLO names are lower-case letters, digits, _ and -'),
      namespace: z.string().optional().meta({
        description:
          'Only services of this service.namespace ("" for services without one); every namespace when omitted.',
      }),
      context: z.string().optional(),
      operation: z.string().optional(),
      objective: percent().meta({ description: 'Share of operations that must be within budget, e.g. 99%.' }),
      window: duration({ minMs: 60_000 }).prefault('30d'),
    })
    .superRefine(
      (slo, ctx) => {
        if (slo.context === undefined && slo.operation === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['context'],
            message: 'an SLO needs a context or an operation',
          });
        }
        if (slo.objective >= 1 || slo.objective <= 0) {
          ctx.addIssue({
            code: 'custom',
            path: ['objective'],
            message: 'objective must be above 0% and below 100%',
          });
        }
      },
      whenValid('context', 'operation', 'objective'),
    ),
  { window: 'windowMs' },
);

const channelBase = { name: z.string().min(1) };

const channelSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...channelBase, type: z.literal('log') }),
  withUnitNames(
    z.strictObject({
      ...channelBase,
      type: z.literal('webhook'),
      url: z.url({ protocol: /^https?$/ }),
      secret: z.string().optional().meta({ description: 'HMAC-SHA256 key for the signature header.' }),
      headers: z.record(z.string(), z.string()).default({}),
      timeout: duration().prefault('5s'),
      maxRetries: z.number().int().min(0).default(5),
    }),
    { timeout: 'timeoutMs' },
  ),
  withUnitNames(
    z.strictObject({
      ...channelBase,
      type: z.literal('alertmanager'),
      url: z.url({ protocol: /^https?$/ }),
      resendInterval: duration().prefault('1m'),
      timeout: duration().prefault('5s'),
    }),
    { resendInterval: 'resendIntervalMs', timeout: 'timeoutMs' },
  ),
]);

const ruleBase = {
  name: z.string().min(1),
  channels: z.array(z.string()).optional().meta({ description: 'Channel names; all channels when omitted.' }),
  cooldown: duration({ minMs: 0 }).prefault('5m'),
  escalateAfter: duration()
    .optional()
    .meta({ description: 'A warning that lasts this long becomes critical.' }),
  labels: z.record(z.string(), z.string()).default({}),
};

const RULE_UNIT_NAMES = { cooldown: 'cooldownMs', escalateAfter: 'escalateAfterMs' } as const;

const alertRuleSchema = z.discriminatedUnion('kind', [
  withUnitNames(
    z.strictObject({
      ...ruleBase,
      kind: z.literal('percentile'),
      context: z.string(),
      percentile: percentile.prefault('p95'),
      warning: duration(),
      critical: duration().optional(),
    }),
    { ...RULE_UNIT_NAMES, warning: 'warningMs', critical: 'criticalMs' },
  ),
  withUnitNames(
    z.strictObject({
      ...ruleBase,
      kind: z.literal('errorRate'),
      context: z.string().optional(),
      warning: percent(),
      critical: percent().optional(),
    }),
    RULE_UNIT_NAMES,
  ),
  withUnitNames(
    z.strictObject({ ...ruleBase, kind: z.literal('burnRate'), slo: z.string() }),
    RULE_UNIT_NAMES,
  ),
  withUnitNames(
    z.strictObject({
      ...ruleBase,
      kind: z.literal('degradation'),
      level: z.enum(['MINIMAL', 'MODERATE', 'SEVERE', 'CRITICAL']),
    }),
    RULE_UNIT_NAMES,
  ),
]);

export const alertingSchema = z.strictObject({
  channels: z.array(channelSchema).default([{ name: 'log', type: 'log' }]),
  rules: z.array(alertRuleSchema).default([]),
});
