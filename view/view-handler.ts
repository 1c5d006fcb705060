/**
 * The live view's HTTP handler, plain node:http so an embedded service loads no framework:
 * `GET /api/v1/view`, `GET /api/v1/view/stream` and, when a static-file handler is given,
 * `GET /ui` and `/ui/*`. HEAD is answered as GET without a body; any other method on these paths
 * gets a 405 with `Allow`. Bearer tokens and tenant binding are the decision API's own
 * ({@link TokenAuth}, scope `read`), and view streams count against the same {@link StreamQuota}.
 * Collector mode mounts this same handler on the decision API's listener.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { diag } from '@opentelemetry/api';
import type { Clock } from '../agent/index.ts';
import { BoundedWriter } from './bounded-writer.ts';
import type { PendingBudget } from './pending-budget.ts';
import { type StreamQuota, whenConnected } from './stream-quota.ts';
import type { TokenAuth } from './token-auth.ts';
import type { ViewCache } from './view-cache.ts';
import type { ViewFilter } from './view-model.ts';
import type { ViewStream } from './view-stream.ts';

/** Answers a request when it is one of its own (returns true), else leaves it alone (false). */
export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

/** Options of {@link createViewHandler}. */
export interface ViewHandlerOptions {
  /** The serialized views, shared by every answer with the same filter. */
  readonly views: ViewCache;
  readonly stream: ViewStream;
  /** Times the stall deadline of a large answer (the agent's clock). */
  readonly clock: Clock;
  /** The bytes all answers may hold pending together (`api.maxPendingSize`). */
  readonly budget: PendingBudget;
  /** The decision API's tokens (`api.tokens`, `api.anonymous`). */
  readonly auth: TokenAuth;
  /** Caps on open streams, shared with the decision stream in collector mode. */
  readonly quota: StreamQuota;
  /** Serves the page under `/ui` (view/static); without it `/ui` is not answered here. */
  readonly staticFiles?: RequestHandler | undefined;
}

/** Seconds a refused stream or answer is told to wait (as the decision stream). */
const RETRY_AFTER_SECONDS = 5;

const VIEW_PATH = '/api/v1/view';
const STREAM_PATH = '/api/v1/view/stream';

/** The methods of both view paths: any other gets a 405 naming them (RFC 9110 §15.5.6). */
const ALLOW = 'GET, HEAD';

/**
 * The handler; it never throws (a failure answers 500).
 * @example
 * const handler = createViewHandler({ views, stream, clock, budget, auth, quota });
 * createServer((req, res) => { if (!handler(req, res)) res.writeHead(404).end(); });
 */
export function createViewHandler(options: ViewHandlerOptions): RequestHandler {
  const handle = route(options);
  return (request, response) => {
    try {
      return handle(request, response);
    } catch (error) {
      diag.error('headroom: live view request failed', error);
      if (!response.headersSent) sendError(response, 500, 'internal', 'internal error; see the agent log');
      else response.destroy();
      return true;
    }
  };
}

function route(options: ViewHandlerOptions): RequestHandler {
  return (request, response) => {
    const url = URL.parse(request.url ?? '/', 'http://view.invalid');
    // A target no URL parser reads (`//[`) is the client's mistake: 400, not logged (as metrics-server.ts).
    if (url === null) {
      sendError(response, 400, 'bad_request', 'the request target is not a valid URL path');
      return true;
    }
    const path = url.pathname;
    if (path === '/ui' || path.startsWith('/ui/')) return options.staticFiles?.(request, response) ?? false;
    if (path !== VIEW_PATH && path !== STREAM_PATH) return false;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const message = `${request.method} is not allowed on ${path}; use GET`;
      sendError(response, 405, 'method_not_allowed', message, { allow: ALLOW });
      return true;
    }
    const outcome = options.auth.authorize(request.headers.authorization, 'read');
    if (!outcome.ok) {
      const { failure } = outcome;
      sendError(response, failure.status, failure.code, failure.message, {
        'www-authenticate': failure.challenge,
      });
      return true;
    }
    const namespace = url.searchParams.get('namespace') ?? undefined;
    const filter = { principal: outcome.principal, namespace };
    // HEAD: GET's status and headers; node:http sends no body for it, and opens no stream.
    if (path === VIEW_PATH) sendView(options, request, response, filter);
    else if (request.method === 'HEAD') options.stream.head(response);
    else whenConnected(response, () => openStream(options, response, filter));
    return true;
  };
}

/** The whole view, written through a {@link BoundedWriter}: a client that takes nothing for 10 s is cut. */
function sendView(
  options: ViewHandlerOptions,
  request: IncomingMessage,
  response: ServerResponse,
  filter: ViewFilter,
): void {
  const json = options.views.json(filter);
  if (request.method !== 'HEAD' && !options.budget.admits(json)) {
    sendBusy(response);
    return;
  }
  response.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': json.length,
    'cache-control': 'no-store',
  });
  if (request.method === 'HEAD') response.end();
  else new BoundedWriter(response, 'view answer', options.clock, { budget: options.budget }).end(json);
}

function openStream(options: ViewHandlerOptions, response: ServerResponse, filter: ViewFilter): void {
  const json = options.views.json(filter);
  if (!options.budget.admits(json)) {
    sendBusy(response);
    return;
  }
  const quota = options.quota.take(filter.principal);
  if ('refused' in quota) {
    sendError(response, 429, 'too_many_streams', quota.refused, {
      'retry-after': String(RETRY_AFTER_SECONDS),
    });
    return;
  }
  response.once('close', quota.release);
  options.stream.open(response, filter, json);
}

/** 503: the answers pending together are at `api.maxPendingSize`. */
function sendBusy(response: ServerResponse): void {
  sendError(
    response,
    503,
    'busy',
    'the answers to other clients hold api.maxPendingSize of memory until their clients read them; retry later',
    { 'retry-after': String(RETRY_AFTER_SECONDS) },
  );
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
}

/** The 404 of a request no handler took, as the decision API words it. */
export function sendNotFound(request: IncomingMessage, response: ServerResponse): void {
  const path = (request.url ?? '/').split('?')[0];
  sendError(response, 404, 'not_found', `no route ${request.method} ${path}`);
}

/** `{ error: { code, message } }`, as the decision API answers errors. */
export function sendError(
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(response, status, { error: { code, message } }, headers);
}
