/**
 * The cross-field rule of multi-tenancy: a decision-API token bound to a namespace isolates a
 * tenant only when senders are authenticated too. Without `receiver.tokens`, anyone who reaches
 * the receiver can announce any `service.namespace`, so such a binding would promise an isolation
 * the agent cannot keep: it is a configuration error naming both fields.
 */
import type { z } from 'zod';

/** A `superRefine` of the root schema; reads the data defensively (other sections may be invalid). */
export function checkTenancy(config: unknown, ctx: z.core.$RefinementCtx): void {
  const root = record(config);
  const receiverTokens = record(root.receiver).tokens;
  if (Array.isArray(receiverTokens) && receiverTokens.length > 0) return;
  const apiTokens = record(root.api).tokens;
  if (!Array.isArray(apiTokens)) return;
  apiTokens.forEach((token, i) => {
    const namespace = record(token).namespace;
    if (typeof namespace !== 'string') return;
    const field = `api.tokens[${i}].namespace`;
    ctx.addIssue({
      code: 'custom',
      path: ['api', 'tokens', i, 'namespace'],
      message: `${field} "${namespace}" needs receiver.tokens: without them any sender can claim any service.namespace, so the binding isolates nothing; add receiver.tokens bound to namespaces, or remove ${field}`,
    });
  });
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
