/**
 * `headroom-otel/http`: route budgets for a plain `node:http` (or `node:https`) server. Wrap the
 * request listener; each request is judged in the context the YAML `rules` give its route, and
 * the handler reads its budget with `requestBudget(req)`.
 * @example
 * import { createServer } from 'node:http';
 * import { start } from 'headroom-otel';
 * import { budgetListener, requestBudget } from 'headroom-otel/http';
 * const headroom = start({ configFiles: ['headroom.yaml'] });
 * createServer(budgetListener(headroom, async (req, res) => {
 *   const budget = requestBudget(req);
 *   res.end(await lookup(req.url, { signal: budget?.signal }));
 * }, { routes: ['/users/:id'] })).listen(8080);
 * @packageDocumentation
 */
// First: on an unsupported Node.js the import stops here with HEADROOM_ERR_NODE_UNSUPPORTED.
import '../../node-version.ts';

import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, diag } from '@opentelemetry/api';
import type { Headroom } from '../types.ts';
import { type AdmissionOptions, hookCriticality, sendRejection } from './request-admission.ts';
import type { RequestBudget } from './request-budget.ts';
import { lenientPath, routingPath } from './request-path.ts';
import { requestBudget, requestTracker } from './request-tracker.ts';
import { compileRoutes, type RouteOfPath } from './route-patterns.ts';

export type { AdmissionOptions, RequestBudget };
export { requestBudget };

/**
 * How {@link budgetListener} finds a request's route template (node:http has no router), and how
 * it admits requests (`admission`, `criticality`: see {@link AdmissionOptions}).
 */
export interface BudgetListenerOptions extends AdmissionOptions<IncomingMessage> {
  /**
   * Route templates, tried in order against the request's path (`routingPath`: an absolute-form
   * target's path, without query and fragment), then against that path as lenient routers read it
   * (`lenientPath`: `%72` decoded, `//` and dot segments removed): `/users/:id` matches one segment
   * per `:name`, a last segment `*` the rest. @default [] (no route)
   */
  readonly routes?: readonly string[];
  /** Gives the route template of a request; wins over `routes`. `undefined`: no route. */
  readonly route?: (request: IncomingMessage) => string | undefined;
}

/**
 * Wraps a `node:http` request listener so every request is tracked: its server span (the HTTP
 * instrumentation's, or one started here) carries the budget its route's YAML rule gives, the
 * status class and, for a 5xx, an error; `requestBudget(req)` hands the handler its budget. A
 * request whose route no rule matches is traced, not judged. Before the listener runs, the
 * request's class is resolved (the `criticality` option, the route's YAML class, baggage, trust)
 * and admission asked: a rejected request gets 503 with `Retry-After` and a JSON body, and the
 * listener is not called; an admitted one runs with its class in baggage and on its span. The
 * listener's result and errors pass through untouched.
 * @throws {InvalidArgumentError} `HEADROOM_ERR_API_INVALID_ARGUMENT` when `headroom` is not what
 * `start()` returned or a template in `routes` does not start with `/`
 */
export function budgetListener<Request extends IncomingMessage, Response extends ServerResponse>(
  headroom: Headroom,
  listener: (request: Request, response: Response) => void,
  options: BudgetListenerOptions = {},
): (request: Request, response: Response) => void {
  const tracker = requestTracker(headroom, 'budgetListener');
  const ofPath = compileRoutes(options.routes ?? []);
  const routeOf = options.route ?? ((request: IncomingMessage) => routeOfTarget(ofPath, request.url));
  return function trackedListener(this: unknown, request: Request, response: Response): void {
    const begun = tracker.begin(
      request,
      response,
      { routeOf: () => safely(routeOf, request), routedAtStart: true },
      { admit: options.admission !== false, code: hookCriticality(options.criticality, request) },
    );
    if (begun === undefined) listener.call(this, request, response);
    else if (begun.rejected !== undefined) sendRejection(response, begun.rejected);
    else context.with(begun.context, listener, this, request, response);
  };
}

/**
 * The template of a request target: its routing path (absolute form, `*`, fragment and query as
 * the frameworks read them) as sent, else as lenient routers read it (`lenientPath`), so no
 * spelling of a path leaves its route's class.
 */
function routeOfTarget(ofPath: RouteOfPath, target: string | undefined): string | undefined {
  const path = routingPath(target);
  return ofPath(path) ?? ofPath(lenientPath(path));
}

/** The user's route function, kept from throwing into the server: a throw counts as no route. */
function safely(
  routeOf: (request: IncomingMessage) => string | undefined,
  request: IncomingMessage,
): string | undefined {
  try {
    const route = routeOf(request);
    return typeof route === 'string' ? route : undefined;
  } catch (error) {
    diag.error('headroom: the route function of budgetListener threw; the request has no route', error);
    return undefined;
  }
}
