/**
 * `headroom-otel/express`: route budgets for Express 5. One `app.use()` before your routes; each
 * request is judged in the context the YAML `rules` give its route (`http.route` is the route's
 * template, known once Express has routed the request), and handlers read `req.headroom`.
 * @example
 * import express from 'express';
 * import { start } from 'headroom-otel';
 * import { budgetMiddleware } from 'headroom-otel/express';
 * const headroom = start({ configFiles: ['headroom.yaml'] });
 * const app = express();
 * app.use(budgetMiddleware(headroom));
 * app.get('/users/:id', async (req, res) => {
 *   res.json(await db.user(req.params.id, { signal: req.headroom.signal }));
 * });
 * @packageDocumentation
 */
// First: on an unsupported Node.js the import stops here with HEADROOM_ERR_NODE_UNSUPPORTED.
import '../../node-version.ts';

import { context } from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import type { Headroom } from '../types.ts';
import { expressRouteAhead } from './express-route-ahead.ts';
import { type AdmissionOptions, hookCriticality, sendRejection } from './request-admission.ts';
import type { RequestBudget } from './request-budget.ts';
import { requestBudget, requestTracker } from './request-tracker.ts';

export type { AdmissionOptions, RequestBudget };

declare global {
  namespace Express {
    interface Request {
      /**
       * The request's budget (set by `budgetMiddleware` from `headroom-otel/express`): `signal`,
       * `remainingMs()`, `budgetMs()`, `context`, `route`. Its route is known in route handlers.
       */
      headroom: RequestBudget;
    }
  }
}

/**
 * Follows the route Express gives the request: the router sets `req.route` when it dispatches to a
 * route, and the template is the mount path as matched then (`req.baseUrl`, restored when the
 * router exits, say on an error) plus the route's path. A route whose path is not a string (a
 * RegExp, an array) gives no template.
 */
function followRoute(request: Request): () => string | undefined {
  let route: unknown = request.route;
  let template: string | undefined;
  Object.defineProperty(request, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set: (value: unknown) => {
      route = value;
      const path = (value as { path?: unknown } | undefined)?.path;
      template = typeof path === 'string' ? `${request.baseUrl ?? ''}${path}` : undefined;
    },
  });
  return () => template;
}

/**
 * Express middleware tracking every request under its route's budget: its server span (the HTTP
 * instrumentation's, or one started here) carries the budget of the YAML rule matching its route
 * (`http.route`, `METHOD route`), the status class and, for a 5xx, an error; `req.headroom` is its
 * budget. Register it before the routes. A request whose route no rule matches (or that no route
 * handles) is traced, not judged. Before the request goes on, its class is resolved (the
 * `criticality` option, the YAML class of the route Express will take, baggage, trust) and
 * admission asked: a rejected request gets 503 with `Retry-After` and a JSON body, and `next` is
 * not called; an admitted one goes on with its class in baggage and on its span.
 * @throws {InvalidArgumentError} `HEADROOM_ERR_API_INVALID_ARGUMENT` when `headroom` is not what `start()` returned
 */
export function budgetMiddleware(
  headroom: Headroom,
  options: AdmissionOptions<Request> = {},
): (request: Request, response: Response, next: NextFunction) => void {
  const tracker = requestTracker(headroom, 'budgetMiddleware');
  return function headroomBudget(request: Request, response: Response, next: NextFunction): void {
    // Registered twice (on the app and a router): the first one tracks the request.
    const begun =
      requestBudget(request) === undefined
        ? tracker.begin(
            request,
            response,
            { routeOf: followRoute(request), routedAtStart: false },
            {
              admit: options.admission !== false,
              code: hookCriticality(options.criticality, request),
              routeAhead: () => expressRouteAhead(request),
            },
          )
        : undefined;
    if (begun === undefined) {
      next();
      return;
    }
    request.headroom = begun.budget;
    if (begun.rejected !== undefined) sendRejection(response, begun.rejected);
    else context.with(begun.context, next);
  };
}
