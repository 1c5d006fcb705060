/**
 * The admission side of the decision API (load shedding by criticality): a service's admission
 * state and its admission decisions, on the same paths and behind the same tokens as its
 * degradation (a namespace-bound token sees only its namespace; a hidden service is a 404).
 */
import type { FastifyInstance } from 'fastify';
import { type ApiContext, guard, sendUnknownService } from './api-context.ts';
import { registerHistoryRoute } from './history-route.ts';
import { type ServiceParams, serviceIdOf, servicePaths } from './service-path.ts';
import type { AdmissionView } from './types.ts';

type ServiceRequest = { Params: ServiceParams };

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

  registerHistoryRoute(app, context, '/admission/decisions', ({ id }) =>
    context.agent.admission(id.service, id.namespace).auditLog.entries(),
  );
}
