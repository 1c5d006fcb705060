/**
 * `headroom-otel/fastify`: route budgets for Fastify 5, beside `@fastify/otel`. Register the plugin
 * (after `@fastify/otel`'s, when you use it); each request is judged in the context the YAML
 * `rules` give its route (`request.routeOptions.url`), and handlers read `request.headroom`.
 * @example
 * import Fastify from 'fastify';
 * import { start } from 'headroom-otel';
 * import { budgetPlugin } from 'headroom-otel/fastify';
 * const headroom = start({ configFiles: ['headroom.yaml'] });
 * const app = Fastify();
 * await app.register(budgetPlugin(headroom));
 * app.get('/users/:id', async (request) => db.user(request.params.id, { signal: request.headroom.signal }));
 * @packageDocumentation
 */
// First: on an unsupported Node.js the import stops here with HEADROOM_ERR_NODE_UNSUPPORTED.
import '../../node-version.ts';

import { type Context, context } from '@opentelemetry/api';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { HEADROOM_SCOPE, type Rejected } from '../../agent/index.ts';
import type { Headroom } from '../types.ts';
import { type AdmissionOptions, hookCriticality, rejectionReply } from './request-admission.ts';
import type { RequestBudget, TrackedRequest } from './request-budget.ts';
import { requestTracker } from './request-tracker.ts';

export type { AdmissionOptions, RequestBudget };

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The request's budget (set by `budgetPlugin` from `headroom-otel/fastify` in `onRequest`):
     * `signal`, `remainingMs()`, `budgetMs()`, `context`, `route`.
     */
    headroom: RequestBudget;
  }
}

/**
 * The context of `@fastify/otel`'s request span (its `request.opentelemetry()`), when it is
 * registered: hooks added after it run in a span of their own, not in the request's.
 */
function otelContextOf(request: FastifyRequest): Context | undefined {
  const otel = (request as { opentelemetry?: () => { context?: Context | null } }).opentelemetry;
  return typeof otel === 'function' ? (otel.call(request).context ?? undefined) : undefined;
}

/**
 * A Fastify plugin tracking every request under its route's budget: its server span (the HTTP
 * instrumentation's, `@fastify/otel`'s when it is the server span, or one started here) carries the
 * budget of the YAML rule matching its route (`http.route` = `routeOptions.url`), the status class
 * and, for a 5xx, an error; `request.headroom` is its budget. Not encapsulated: it applies to every
 * route of the instance it is registered on. A request whose route no rule matches (a 404 has
 * none) is traced, not judged. In `onRequest`, the request's class is resolved (the `criticality`
 * option, its route's YAML class, baggage, trust) and admission asked: a rejected request is
 * answered 503 with `Retry-After` and a JSON body from the hook, so no later hook or handler runs;
 * an admitted one goes on with its class in baggage and on its span.
 * @throws {InvalidArgumentError} `HEADROOM_ERR_API_INVALID_ARGUMENT` when `headroom` is not what `start()` returned
 */
export function budgetPlugin(
  headroom: Headroom,
  options: AdmissionOptions<FastifyRequest> = {},
): FastifyPluginCallback {
  const tracker = requestTracker(headroom, 'budgetPlugin');
  const plugin: FastifyPluginCallback = (app, _options, done) => {
    app.decorateRequest('headroom', null as unknown as RequestBudget);
    app.addHook('onRequest', (request, reply, hookDone) => {
      const begun = tracker.begin(
        request.raw,
        reply.raw,
        { routeOf: () => request.routeOptions.url, routedAtStart: true },
        { admit: options.admission !== false, code: hookCriticality(options.criticality, request) },
        otelContextOf(request) ?? context.active(),
      );
      if (begun === undefined) {
        hookDone();
        return;
      }
      request.headroom = begun.budget;
      // Answering from onRequest without calling hookDone: Fastify runs no later hook nor the handler.
      if (begun.rejected !== undefined) reject(reply, begun.rejected);
      else context.with(begun.context, hookDone);
    });
    app.addHook('onSend', (request, reply, payload, hookDone) => {
      (request.headroom as TrackedRequest | null)?.responded(reply.statusCode);
      hookDone(null, payload);
    });
    done();
  };
  // What fastify-plugin does: the hooks apply to the instance it is registered on, not a child scope.
  Object.assign(plugin, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: HEADROOM_SCOPE,
  });
  return plugin;
}

/** Sends the 503 of a rejected request through Fastify (its onSend hooks see it). */
function reject(reply: FastifyReply, rejected: Rejected): void {
  const { statusCode, headers, body } = rejectionReply(rejected);
  reply.code(statusCode).headers(headers).send(body);
}
