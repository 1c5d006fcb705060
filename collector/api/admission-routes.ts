/**
 * The admission side of the decision API (load shedding by criticality): a service's admission
 * state and its admission decisions, on the same paths and behind the same tokens as its
 * degradation (a namespace-bound token sees only its namespace; a hidden service is a 404).
 */
import type { FastifyInstance } from 'fastify';
import { type ApiContext, guard, sendError, sendUnknownService } from './api-context.ts';
import { type ServiceParams, serviceIdOf, servicePaths } from './service-path.ts';
import { parseLimit } from './service-routes.ts';
import type { AdmissionHistory, AdmissionView } from './types.ts';

type ServiceRequest = { Params: ServiceParams };
type HistoryRequest = ServiceRequest & { Querystring: { limit?: string } };

/** Registers `GET .../admission` and `GET .../admission/decisions?limit=N` (both path forms). */
export function registerAdmissionRoutes(app: FastifyInstance, context: ApiContext): void {
  const { catalog } = context;

  for (const path of servicePaths('/admission')) {
    app.get<ServiceRequest>(path, async (request, reply) => {
      const principal = guard(context, request, reply, 'read');
      if (principal === undefined) return reply;
      const id = serviceIdOf(request.params);
      const manager = catalog.find(principal, id);
      if (manager === undefined) return sendUnknownService(reply, id);
      const view: AdmissionView = catalog.admission(manager.id);
      return view;
    });
  }

  for (const path of servicePaths('/admission/decisions')) {
    app.get<HistoryRequest>(path, async (request, reply) => {
      const principal = guard(context, request, reply, 'read');
      if (principal === undefined) return reply;
      const id = serviceIdOf(request.params);
      const limit = parseLimit(request.query.limit, context.config.historySize);
      if (typeof limit === 'string') return sendError(reply, 400, limit);
      const manager = catalog.find(principal, id);
      if (manager === undefined) return sendUnknownService(reply, id);
      const { namespace, service } = manager.id;
      const decisions = context.agent.admission(service, namespace).auditLog.entries().slice(-limit);
      const history: AdmissionHistory = { namespace, service, decisions };
      return history;
    });
  }
}
