/**
 * The HTTP server of the Prometheus endpoint. Headroom runs its own instead of the exporter's:
 * `PrometheusExporter` turns port 0 into 9464 (`config.port || 9464`), never reports the port it
 * bound, and reports a listen failure only through a callback. The exporter still renders every
 * response (`getMetricsRequestHandler`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { diag } from '@opentelemetry/api';

/** Options of {@link listenMetricsServer}. */
export interface MetricsServerOptions {
  readonly host: string;
  /** TCP port; 0 picks a free one. */
  readonly port: number;
  /** Path of the metrics, e.g. `/metrics`; any other path answers 404. */
  readonly path: string;
  /** Writes the exposition to `response` (status, body). */
  readonly handle: (request: IncomingMessage, response: ServerResponse) => void;
  /**
   * Most connections held at once; Node closes further ones as soon as they are accepted, so
   * idle or slow clients cannot exhaust the process's file descriptors. @default 16
   */
  readonly maxConnections?: number;
  /** Time for a request's headers, ms; then 408 and the connection closed. @default 10000 */
  readonly headersTimeoutMs?: number;
}

/** A scrape request (headers and body) must be complete within this, ms. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Idle keep-alive connections between scrapes are closed after this, ms (Prometheus reconnects). */
const KEEP_ALIVE_TIMEOUT_MS = 5000;

/** A listening server, or why it is not listening. */
export type ListenResult =
  | { readonly listening: true; readonly server: Server; readonly port: number }
  | { readonly listening: false; readonly error: Error };

/**
 * Starts the server; resolves once it listens or failed to (EADDRINUSE, EACCES, ...), never
 * rejects. The server is unref'd: it never keeps the process alive on its own.
 */
export function listenMetricsServer(options: MetricsServerOptions): Promise<ListenResult> {
  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const server = createServer(
    {
      headersTimeout,
      requestTimeout: Math.max(headersTimeout, REQUEST_TIMEOUT_MS),
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      // Node checks the timeouts every connectionsCheckingInterval (30 s by default): too coarse.
      connectionsCheckingInterval: Math.min(1000, Math.ceil(headersTimeout / 4)),
    },
    (request, response) => route(options, request, response),
  );
  server.maxConnections = options.maxConnections ?? 16;
  server.unref();
  return new Promise((resolve) => {
    const onError = (error: Error) => resolve({ listening: false, error });
    server.once('error', onError);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', onError);
      // Later errors (e.g. EMFILE on accept) must not become uncaught 'error' events.
      server.on('error', (error) => diag.error('headroom: Prometheus endpoint server error', error));
      resolve({ listening: true, server, port: (server.address() as AddressInfo).port });
    });
  });
}

/** Closes the server and its idle keep-alive connections; resolves when it has closed. */
export function closeMetricsServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

function route(options: MetricsServerOptions, request: IncomingMessage, response: ServerResponse): void {
  let pathname: string;
  try {
    pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
  } catch {
    response.statusCode = 400;
    response.end('Bad Request');
    return;
  }
  if (pathname !== options.path) {
    response.statusCode = 404;
    response.end();
    return;
  }
  options.handle(request, response);
}
