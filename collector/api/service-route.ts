/**
 * The one shape of every per-service route of the decision API: registered on both path forms
 * (service-path.ts), the caller authorized for a scope (401/403 otherwise), then the service found
 * among those the caller may see (a hidden service gets the same 404 as an unknown one), and only
 * then the route's own work.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteGenericInterface } from 'fastify';
import type { DegradationManager } from '../../agent/index.ts';
import type { Principal } from '../../view/index.ts';
import { type ApiContext, guard, sendUnknownService } from './api-context.ts';
import { type ServiceParams, serviceIdOf, servicePaths } from './service-path.ts';
import type { Scope } from './types.ts';

/** Who asked, and the service they may see. */
export interface FoundService {
  readonly principal: Principal;
  readonly manager: DegradationManager;
}

/** A route's request types, with the service path's parameters. */
export type ServiceRequest = RouteGenericInterface & { Params: ServiceParams };

/**
 * Registers `method <service path><suffix>` (both path forms); `handle` runs only for an
 * authorized caller and a service it may see, and answers like a fastify handler.
 */
export function registerServiceRoute<R extends ServiceRequest>(
  app: FastifyInstance,
  context: ApiContext,
  route: { readonly method: 'GET' | 'PUT' | 'DELETE'; readonly suffix: string; readonly scope: Scope },
  handle: (request: FastifyRequest<R>, reply: FastifyReply, found: FoundService) => unknown,
): void {
  for (const url of servicePaths(route.suffix)) {
    app.route({
      method: route.method,
      url,
      handler: async (request, reply) => {
        const principal = guard(context, request, reply, route.scope);
        if (principal === undefined) return reply;
        const id = serviceIdOf(request.params as ServiceParams);
        const manager = context.catalog.find(principal, id);
        if (manager === undefined) return sendUnknownService(reply, id);
        // The route was registered for R's request (the service path's parameters and R's query and body).
        return handle(request as FastifyRequest<R>, reply, { principal, manager });
      },
    });
  }
}
