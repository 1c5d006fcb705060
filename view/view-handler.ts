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
import type { StreamQuota } from './stream-quota.ts';
import type { TokenAuth } from './token-auth.ts';
import type { ViewModel } from './view-model.ts';
import type { ViewStream } from './view-stream.ts';

/** Answers a request when it is one of its own (returns true), else leaves it alone (false). */
export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

/** Options of {@link createViewHandler}. */
export interface ViewHandlerOptions {
  readonly model: ViewModel;
  readonly stream: ViewStream;
  /** The decision API's tokens (`api.tokens`, `api.anonymous`). */
  readonly auth: TokenAuth;
  /** Caps on open streams, shared with the decision stream in collector mode. */
  readonly quota: StreamQuota;
  /** Serves the page under `/ui` (view/static); without it `/ui` is not answered here. */
  readonly staticFiles?: RequestHandler | undefined;
}

/** Seconds a refused stream is told to wait (as the decision stream). */
const RETRY_AFTER_SECONDS = 5;

const VIEW_PATH = '/api/v1/view';
const STREAM_PATH = '/api/v1/view/stream';

/** The methods of both view paths: any other gets a 405 naming them (RFC 9110 §15.5.6). */
const ALLOW = 'GET, HEAD';

/**
 * The handler; it never throws (a failure answers 500).
 * @example
 * const handler = createViewHandler({ model, stream, auth, quota });
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
    const url = new URL(request.url ?? '/', 'http://view.invalid');
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
    if (path === VIEW_PATH) sendJson(response, 200, options.model.view(filter));
    else if (request.method === 'HEAD') options.stream.head(response);
    else openStream(options, response, filter);
    return true;
  };
}

function openStream(
  options: ViewHandlerOptions,
  response: ServerResponse,
  filter: Parameters<ViewStream['open']>[1],
): void {
  const quota = options.quota.take(filter.principal);
  if ('refused' in quota) {
    sendError(response, 429, 'too_many_streams', quota.refused, {
      'retry-after': String(RETRY_AFTER_SECONDS),
    });
    return;
  }
  response.once('close', quota.release);
  options.stream.open(response, filter);
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
