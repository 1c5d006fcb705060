/** The read side of the decision API: the service list, one service's detail, its decision history. */
import type { FastifyInstance } from 'fastify';
import { type ApiContext, guard } from './api-context.ts';
import { registerHistoryRoute } from './history-route.ts';
import { seriesViews } from './series-views.ts';
import { registerServiceRoute } from './service-route.ts';
import type { ServiceDetail, ServiceSummary } from './types.ts';

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

  const detail = { method: 'GET', suffix: '', scope: 'read' } as const;
  registerServiceRoute(app, context, detail, (_request, _reply, { manager }) => {
    const answer: ServiceDetail = {
      ...catalog.summary(manager),
      lastDecision: manager.state().lastDecision ?? null,
      evaluatedAt: context.agent.lastTick?.at ?? null,
      series: seriesViews(context.agent, context.verdicts, manager.id),
    };
    return answer;
  });

  registerHistoryRoute(app, context, '/decisions', (manager) => manager.auditLog.entries());
}
