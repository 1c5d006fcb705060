/** `GET /api/v1/decisions/stream` and the probes `GET /-/healthy`, `GET /-/ready`. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Principal, sendError as sendRawError, whenConnected } from '../../view/index.ts';
import { type ApiContext, guard, sendError } from './api-context.ts';

/** Seconds a refused stream is told to wait. */
const RETRY_AFTER_SECONDS = 5;

type StreamRoute = { Querystring: { namespace?: string; service?: string } };

/**
 * Registers the decision stream. `?namespace=` (empty: the empty namespace) and `?service=` filter
 * it; they may name a service that does not exist (yet) or that the caller may not see: the stream
 * then carries nothing about it, the same answer in both cases.
 * Streams over the caller's or the global cap get a 429 with `Retry-After` and the reason.
 */
export function registerStreamRoutes(app: FastifyInstance, context: ApiContext): void {
  app.get<StreamRoute>('/api/v1/decisions/stream', async (request, reply) => {
    const principal = guard(context, request, reply, 'read');
    if (principal === undefined) return reply;
    // Answered on the raw response from here: a pipelined stream waits for its socket (one stream
    // per connection), after fastify has finished with the request.
    reply.hijack();
    whenConnected(reply.raw, () => openStream(context, request, reply, principal));
    return reply;
  });
}

function openStream(
  context: ApiContext,
  request: FastifyRequest<StreamRoute>,
  reply: FastifyReply,
  principal: Principal,
): void {
  const quota = context.quota.take(principal);
  if ('refused' in quota) {
    sendRawError(reply.raw, 429, 'too_many_streams', quota.refused, {
      'retry-after': String(RETRY_AFTER_SECONDS),
    });
    return;
  }
  reply.raw.once('close', quota.release);
  const { namespace, service } = request.query;
  const lastEventId = request.headers['last-event-id'];
  context.stream.open(reply, {
    principal,
    namespace: typeof namespace === 'string' ? namespace : undefined,
    service: typeof service === 'string' ? service : undefined,
    lastEventId: typeof lastEventId === 'string' ? lastEventId : undefined,
  });
}

/**
 * Registers `/-/healthy` (200 while the process serves: liveness) and `/-/ready` (200 once the
 * agent has ticked and while it is not saturated, else 503 with the reasons); no auth.
 */
export function registerProbeRoutes(app: FastifyInstance, context: ApiContext): void {
  app.get('/-/healthy', async () => ({ status: 'healthy' }));
  app.get('/-/ready', async (_request, reply) => {
    if (context.agent.lastTick === undefined)
      return sendError(
        reply,
        503,
        'the agent has not evaluated yet; retry after its first tick',
        'not_ready',
      );
    const reasons = context.saturation();
    if (reasons.length > 0) {
      reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return sendError(reply, 503, `saturated: ${reasons.join('; ')}`, 'saturated');
    }
    return { status: 'ready' };
  });
}
