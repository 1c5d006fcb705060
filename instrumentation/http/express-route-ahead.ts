/**
 * The route Express will give a request, found before it routes it: admission decides before any
 * handler runs, but Express only names the route when its router dispatches to it, after every
 * middleware (this one included). So the middleware walks the app's router stack the way the
 * router will (path-matching layers in order, into mounted routers, a route only when it handles
 * the method, HEAD the GET route, as the router's own `_handlesMethod` says) and takes the first
 * route. It walks from the app's root with the path the router reads (`routingPath` of
 * `req.originalUrl`: an absolute-form target's path, without query and fragment), so a mounted
 * middleware and every spelling of a target find the route Express will take. Works with Express 5
 * (`app.router`, router 2.x: `match()` returns the match) and 4 (`app._router`: `match()` sets
 * `layer.path`). A middleware that rewrites `req.url` later, or a sub-app, can route elsewhere:
 * the request is then admitted in the class its code hook, baggage or the default give, and judged
 * by its real route as before.
 */
import { diag } from '@opentelemetry/api';
import { routingPath } from './request-path.ts';

/** The parts of an Express 4/5 router layer read here (its internals, read only). */
interface Layer {
  readonly route?: {
    readonly path?: unknown;
    _handlesMethod?(method: string): boolean;
    _handles_method?(method: string): boolean;
  };
  readonly handle?: { readonly stack?: unknown };
  readonly path?: unknown;
  match(path: string): boolean | { readonly path?: unknown };
}

/** Deepest router nesting followed (a router mounted in itself must not loop). */
const MAX_DEPTH = 8;

/** The app's router stack: Express 4 keeps it in `app._router`, Express 5 behind `app.router`. */
function stackOf(app: unknown): readonly Layer[] | undefined {
  const express = app as { _router?: { stack?: unknown }; router?: { stack?: unknown } } | undefined;
  const router = express?._router ?? express?.router;
  return Array.isArray(router?.stack) ? (router.stack as Layer[]) : undefined;
}

/** What `layer` matched of `path` (the mount part), `undefined` when it does not match. */
function matched(layer: Layer, path: string): string | undefined {
  const match = layer.match(path);
  if (match === false) return undefined;
  const part = match === true ? layer.path : match.path;
  return typeof part === 'string' ? part : '';
}

/** Whether `route` takes `method` (both routers send HEAD to the GET route when it has no HEAD). */
function handles(route: NonNullable<Layer['route']>, method: string): boolean {
  const handlesMethod = route._handlesMethod ?? route._handles_method;
  return handlesMethod?.call(route, method) === true;
}

function routeIn(
  stack: readonly Layer[],
  method: string,
  path: string,
  base: string,
  depth: number,
): string | undefined {
  for (const layer of stack) {
    const part = matched(layer, path);
    if (part === undefined) continue;
    const route = layer.route;
    if (route !== undefined) {
      if (handles(route, method)) return typeof route.path === 'string' ? base + route.path : undefined;
      continue;
    }
    const inner = layer.handle?.stack;
    if (!Array.isArray(inner) || depth >= MAX_DEPTH) continue;
    const rest = path.slice(part.length);
    const found = routeIn(inner, method, rest.startsWith('/') ? rest : `/${rest}`, base + part, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * The route template (`/api/users/:id`, as the middleware names it once routed: mount path plus
 * route path) Express will route `request` to; `undefined` when none or not found. Never throws.
 */
export function expressRouteAhead(request: {
  readonly app?: unknown;
  readonly method?: string;
  readonly url?: string;
  readonly originalUrl?: string;
}): string | undefined {
  try {
    const stack = stackOf(request.app);
    if (stack === undefined) return undefined;
    const path = routingPath(request.originalUrl ?? request.url);
    return routeIn(stack, request.method ?? 'GET', path, '', 0);
  } catch (error) {
    diag.debug('headroom: could not look the route up before Express routed the request', error);
    return undefined;
  }
}
