/**
 * The admission side of the decision API (load shedding by criticality): a service's admission
 * state and its admission decisions, on the same paths and behind the same tokens as its
 * degradation (a namespace-bound token sees only its namespace; a hidden service is a 404).
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from './api-context.ts';
import { registerHistoryRoute } from './history-route.ts';
import { registerServiceRoute } from './service-route.ts';
import type { AdmissionView } from './types.ts';

/** Registers `GET .../admission` and `GET .../admission/decisions?limit=N` (both path forms). */
export function registerAdmissionRoutes(app: FastifyInstance, context: ApiContext): void {
  const read = { method: 'GET', suffix: '/admission', scope: 'read' } as const;
  registerServiceRoute(app, context, read, (_request, _reply, { manager }) => {
    const view: AdmissionView = context.catalog.admission(manager.id);
    return view;
  });

  registerHistoryRoute(app, context, '/admission/decisions', ({ id }) =>
    context.agent.admission(id.service, id.namespace).auditLog.entries(),
  );
}
