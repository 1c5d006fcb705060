/** The read side of the decision API: the service list, one service's detail, its decision history. */
import type { FastifyInstance } from 'fastify';
import { type ApiContext, guard, sendError, sendUnknownService } from './api-context.ts';
import { seriesViews } from './series-views.ts';
import { type ServiceParams, serviceIdOf, servicePaths } from './service-path.ts';
import type { DecisionHistory, ServiceDetail, ServiceSummary } from './types.ts';

/** Decisions a history request returns without `?limit=`. */
const DEFAULT_HISTORY_LIMIT = 100;

type ServiceRequest = { Params: ServiceParams };
type HistoryRequest = ServiceRequest & { Querystring: { limit?: string } };

/** Registers `GET /api/v1/services`, a service's detail and its decisions (both path forms). */
export function registerServiceRoutes(app: FastifyInstance, context: ApiContext): void {
  const { catalog } = context;

  app.get('/api/v1/services', async (request, reply) => {
    const principal = guard(context, request, reply, 'read');
    if (principal === undefined) return reply;
    const services: ServiceSummary[] = [];
    for (const id of catalog.list(principal)) {
      const manager = catalog.find(principal, id);
      if (manager !== undefined) services.push(catalog.summary(manager));
    }
    return { services };
  });

  for (const path of servicePaths('')) {
    app.get<ServiceRequest>(path, async (request, reply) => {
      const principal = guard(context, request, reply, 'read');
      if (principal === undefined) return reply;
      const id = serviceIdOf(request.params);
      const manager = catalog.find(principal, id);
      if (manager === undefined) return sendUnknownService(reply, id);
      const detail: ServiceDetail = {
        ...catalog.summary(manager),
        lastDecision: manager.state().lastDecision ?? null,
        evaluatedAt: context.agent.lastTick?.at ?? null,
        series: seriesViews(context.agent, context.verdicts, id),
      };
      return detail;
    });
  }

  for (const path of servicePaths('/decisions')) {
    app.get<HistoryRequest>(path, async (request, reply) => {
      const principal = guard(context, request, reply, 'read');
      if (principal === undefined) return reply;
      const id = serviceIdOf(request.params);
      const limit = parseLimit(request.query.limit, context.config.historySize);
      if (typeof limit === 'string') return sendError(reply, 400, limit);
      const manager = catalog.find(principal, id);
      if (manager === undefined) return sendUnknownService(reply, id);
      const decisions = manager.auditLog.entries().slice(-limit);
      const history: DecisionHistory = { namespace: id.namespace, service: id.service, decisions };
      return history;
    });
  }
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
