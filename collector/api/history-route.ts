/**
 * The decision-history routes of the decision API, one helper for both histories a service has:
 * its degradation decisions (`.../decisions`) and its admission decisions
 * (`.../admission/decisions`). Same guard, `?limit=`, 404 and reply shape for both.
 */
import type { FastifyInstance } from 'fastify';
import type { DegradationManager } from '../../agent/index.ts';
import { type ApiContext, sendError } from './api-context.ts';
import type { ServiceParams } from './service-path.ts';
import { registerServiceRoute } from './service-route.ts';
import type { DecisionHistory } from './types.ts';

/** Decisions a history request returns without `?limit=`. */
const DEFAULT_HISTORY_LIMIT = 100;

type HistoryRequest = { Params: ServiceParams; Querystring: { limit?: string } };

/**
 * Registers `GET <service path><suffix>?limit=N` (both path forms): the last `limit` decisions
 * of the service, oldest first, as `{ namespace, service, decisions }` under the names the service
 * is kept under. A reader token is needed; an unknown or hidden service is a 404, then a bad `limit` a 400.
 * @param decisionsOf the service's whole history, oldest first
 */
export function registerHistoryRoute<D>(
  app: FastifyInstance,
  context: ApiContext,
  suffix: string,
  decisionsOf: (manager: DegradationManager) => readonly D[],
): void {
  const route = { method: 'GET', suffix, scope: 'read' } as const;
  registerServiceRoute<HistoryRequest>(app, context, route, (request, reply, { manager }) => {
    const limit = parseLimit(request.query.limit, context.config.historySize);
    if (typeof limit === 'string') return sendError(reply, 400, limit);
    const { namespace, service } = manager.id;
    const history: DecisionHistory<D> = {
      namespace,
      service,
      decisions: decisionsOf(manager).slice(-limit),
    };
    return history;
  });
}

/**
 * `?limit=`: a whole number from 1, clamped to `historySize`; absent means
 * {@link DEFAULT_HISTORY_LIMIT} (also clamped). Returns the error message when invalid.
 */
function parseLimit(text: string | undefined, historySize: number): number | string {
  if (text === undefined) return Math.min(DEFAULT_HISTORY_LIMIT, historySize);
  const limit = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(limit >= 1)) return `limit must be a whole number from 1 to ${historySize}, got "${text}"`;
  return Math.min(limit, historySize);
}
