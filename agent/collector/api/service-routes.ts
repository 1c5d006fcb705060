/** The read side of the decision API: the service list, one service's detail, its decision history. */
import type { FastifyInstance } from 'fastify';
import { type ApiContext, guard, sendError, sendUnknownService } from './api-context.ts';
import { seriesViews } from './series-views.ts';
import type { DecisionHistory, ServiceDetail, ServiceSummary } from './types.ts';

/** Decisions a history request returns without `?limit=`. */
export const DEFAULT_HISTORY_LIMIT = 100;

type ServiceParams = { Params: { service: string } };
type HistoryRequest = ServiceParams & { Querystring: { limit?: string } };

/** Registers `GET /api/v1/services`, `.../:service` and `.../:service/decisions`. */
export function registerServiceRoutes(app: FastifyInstance, context: ApiContext): void {
  const { catalog } = context;

  app.get('/api/v1/services', async (request, reply) => {
    const principal = guard(context, request, reply, 'read');
    if (principal === undefined) return reply;
    const services: ServiceSummary[] = [];
    for (const name of catalog.list(principal)) {
      const manager = catalog.find(principal, name);
      if (manager !== undefined) services.push(catalog.summary(manager));
    }
    return { services };
  });

  app.get<ServiceParams>('/api/v1/services/:service', async (request, reply) => {
    const principal = guard(context, request, reply, 'read');
    if (principal === undefined) return reply;
    const { service } = request.params;
    const manager = catalog.find(principal, service);
    if (manager === undefined) return sendUnknownService(reply, service);
    const detail: ServiceDetail = {
      ...catalog.summary(manager),
      lastDecision: manager.state().lastDecision ?? null,
      evaluatedAt: context.agent.lastTick?.at ?? null,
      series: seriesViews(context.agent, context.verdicts, service),
    };
    return detail;
  });

  app.get<HistoryRequest>('/api/v1/services/:service/decisions', async (request, reply) => {
    const principal = guard(context, request, reply, 'read');
    if (principal === undefined) return reply;
    const { service } = request.params;
    const limit = parseLimit(request.query.limit, context.config.historySize);
    if (typeof limit === 'string') return sendError(reply, 400, limit);
    const manager = catalog.find(principal, service);
    if (manager === undefined) return sendUnknownService(reply, service);
    const history: DecisionHistory = { service, decisions: manager.auditLog.entries().slice(-limit) };
    return history;
  });
}

/**
 * `?limit=`: a whole number from 1, clamped to `historySize`; absent means
 * {@link DEFAULT_HISTORY_LIMIT} (also clamped). Returns the error message when invalid.
 */
export function parseLimit(text: string | undefined, historySize: number): number | string {
  if (text === undefined) return Math.min(DEFAULT_HISTORY_LIMIT, historySize);
  const limit = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(limit >= 1)) return `limit must be a whole number from 1 to ${historySize}, got "${text}"`;
  return Math.min(limit, historySize);
}
