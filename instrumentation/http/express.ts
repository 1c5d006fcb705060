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
import type { RequestBudget } from './request-budget.ts';
import { requestBudget, requestTracker } from './request-tracker.ts';

export type { RequestBudget };

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
 * handles) is traced, not judged.
 * @throws {InvalidArgumentError} `HEADROOM_ERR_API_INVALID_ARGUMENT` when `headroom` is not what `start()` returned
 */
export function budgetMiddleware(
  headroom: Headroom,
): (request: Request, response: Response, next: NextFunction) => void {
  const tracker = requestTracker(headroom, 'budgetMiddleware');
  return function headroomBudget(request: Request, response: Response, next: NextFunction): void {
    // Registered twice (on the app and a router): the first one tracks the request.
    const begun =
      requestBudget(request) === undefined
        ? tracker.begin(request, response, { routeOf: followRoute(request), routedAtStart: false })
        : undefined;
    if (begun === undefined) {
      next();
      return;
    }
    request.headroom = begun.budget;
    context.with(begun.context, next);
  };
}
