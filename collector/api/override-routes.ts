/**
 * The write side of the decision API: pin a service's level (`PUT .../override`) and release it
 * (`DELETE .../override`). The caller's token name is appended to the reason, so the audit log
 * says who acted, not only why.
 */
import { diag } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import type { DegradationManager } from '../../agent/index.ts';
import { formatService } from '../../agent/index.ts';
import type { Principal } from '../../view/index.ts';
import { type ApiContext, sendError } from './api-context.ts';
import { parseClearReason, parseOverride } from './override-request.ts';
import type { ServiceParams } from './service-path.ts';
import { registerServiceRoute } from './service-route.ts';
import type { OverrideResult } from './types.ts';

type OverrideRoute = { Params: ServiceParams; Querystring: { reason?: string } };

/** The reason as recorded: `incident 42 (by ops-oncall)`. */
function signedReason(reason: string, principal: Principal): string {
  return `${reason} (by ${principal.name})`;
}

/** Registers `PUT` and `DELETE .../override` of a service (both path forms). */
export function registerOverrideRoutes(app: FastifyInstance, context: ApiContext): void {
  const { catalog } = context;
  const resultOf = (manager: DegradationManager, decision: OverrideResult['decision']): OverrideResult => ({
    decision,
    state: catalog.summary(manager),
  });

  const put = { method: 'PUT', suffix: '/override', scope: 'override' } as const;
  registerServiceRoute<OverrideRoute>(app, context, put, (request, reply, { principal, manager }) => {
    const parsed = parseOverride(request.body, context.agent.clock.now());
    if (!parsed.ok) return sendError(reply, 400, parsed.message);
    const { level, reason, untilMs } = parsed.value;
    const options = untilMs === undefined ? {} : { untilMs };
    const decision = manager.override(level, signedReason(reason, principal), options);
    if (decision === undefined) {
      const name = formatService(manager.id);
      diag.error(`headroom: the override of "${name}" to ${level} was refused by its degradation manager`);
      return sendError(reply, 500, `the override of "${name}" failed; see the agent's log`);
    }
    return resultOf(manager, decision);
  });

  const remove = { method: 'DELETE', suffix: '/override', scope: 'override' } as const;
  registerServiceRoute<OverrideRoute>(app, context, remove, (request, reply, { principal, manager }) => {
    const reason = parseClearReason(request.body, request.query);
    if (!reason.ok) return sendError(reply, 400, reason.message);
    // `null` when no override was active: DELETE stays idempotent.
    return resultOf(manager, manager.clearOverride(signedReason(reason.value, principal)) ?? null);
  });
}
