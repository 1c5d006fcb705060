/**
 * The live view on the decision API's listener: fastify hands `/api/v1/view`, `/api/v1/view/stream`
 * and `/ui`, `/ui/*` to the view's own node:http handler (view/), so both modes run one
 * implementation; the handler answers them itself (the reply is hijacked).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type RequestHandler, sendNotFound } from '../../view/index.ts';

/** Registers the view's routes; `/ui` only answers when the handler serves static files. */
export function registerViewRoutes(app: FastifyInstance, handler: RequestHandler): void {
  const delegate = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    if (handler(request.raw, reply.raw)) return reply;
    // Not the view's (no page served): answered as any unknown route.
    sendNotFound(request.raw, reply.raw);
    return reply;
  };
  // Every method, answered in onRequest, before fastify reads a body: the handler's 405 (Allow:
  // GET, HEAD) whatever the content type, not a 415 or 400. The route's own handler is never
  // reached (the reply is hijacked by then); fastify requires one.
  for (const path of ['/api/v1/view', '/api/v1/view/stream', '/ui', '/ui/*']) {
    app.all(path, { onRequest: delegate }, delegate);
  }
}
