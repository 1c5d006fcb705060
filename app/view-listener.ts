/**
 * Embedded mode's live view listener (`ui.enabled`): a plain node:http server on `ui.host`:`ui.port`
 * serving the view's handler, behind the decision API's tokens (`api.tokens`, `api.anonymous`)
 * and stream caps (`api.maxStreamsPerToken`, `api.maxStreams`), the shared bound on pending bytes
 * (`api.maxPendingSize`) and at most `api.maxStreams + 16` connections. start.ts imports this module only
 * when `ui.enabled`, so an embedded service without the view loads none of it. The server never
 * keeps the process alive (unref'd) and closes with `headroom.shutdown()`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { diag } from '@opentelemetry/api';
import type { Agent, SloTracker } from '../agent/index.ts';
import type { ResolvedConfig } from '../config/index.ts';
import {
  createLiveView,
  HostGuard,
  PendingBudget,
  StreamQuota,
  sendError,
  sendNotFound,
  TokenAuth,
  type ViewHistory,
} from '../view/index.ts';
import { liveViewOptions } from './live-view-options.ts';

/** A running view listener. */
export interface ViewListener {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  /** The history rings (how many, their bytes). */
  readonly history: Pick<ViewHistory, 'size' | 'bytes'>;
  /** Ends the streams, stops listening and frees the history rings. Idempotent. */
  close(): Promise<void>;
}

/** Streams in all when `api.maxStreams` is not set (embedded: a handful of open pages). */
const DEFAULT_MAX_STREAMS = 64;
/** Connections above the stream cap (`maxConnections`): the page's files, GETs, a probe. */
const EXTRA_CONNECTIONS = 16;

/**
 * Starts the listener; rejects when the address cannot be bound (the caller logs it: the service
 * keeps running without the view).
 */
export async function startViewListener(
  agent: Agent,
  config: ResolvedConfig,
  slos: SloTracker | undefined,
): Promise<ViewListener> {
  const { api, ui } = config;
  const auth = new TokenAuth(api);
  const hosts = new HostGuard(auth, {
    listenerHost: ui.host,
    externalUrl: ui.externalUrl,
    allowedHosts: api.allowedHosts,
  });
  const maxStreams = api.maxStreams ?? DEFAULT_MAX_STREAMS;
  const view = createLiveView({
    agent,
    ...liveViewOptions(config, slos),
    auth,
    quota: new StreamQuota({ maxStreams, maxStreamsPerToken: api.maxStreamsPerToken }),
    budget: new PendingBudget(api.maxPendingBytes),
  });
  const server = createServer(
    { headersTimeout: api.headersTimeoutMs, requestTimeout: api.requestTimeoutMs },
    (request, response) => {
      const refused = hosts.refusal(request.headers.host);
      if (refused !== undefined) sendError(response, 403, 'forbidden', refused);
      else if (!view.handler(request, response)) sendNotFound(request, response);
    },
  );
  server.keepAliveTimeout = api.keepAliveTimeoutMs;
  // As collector mode: the streams, plus a few connections for pages, GETs and probes.
  server.maxConnections = maxStreams + EXTRA_CONNECTIONS;
  try {
    await listen(server, ui.host, ui.port);
  } catch (error) {
    view.close();
    throw error;
  }
  server.unref();
  const { port } = server.address() as AddressInfo;
  const url = `http://${ui.host.includes(':') ? `[${ui.host}]` : ui.host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    history: view.history,
    close() {
      closing ??= new Promise<void>((resolve) => {
        view.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Starts the listener in the background (start() stays synchronous) and logs where it serves, or
 * why it could not start; returns what stops it.
 */
export function startViewInBackground(
  agent: Agent,
  config: ResolvedConfig,
  slos: SloTracker | undefined,
): () => Promise<void> {
  const pending = startViewListener(agent, config, slos).then(
    (listener) => {
      diag.info(`headroom: live view on ${listener.url}/ui/ (API: GET /api/v1/view, /api/v1/view/stream)`);
      return listener;
    },
    (error: unknown) => {
      diag.error(`headroom: live view not serving on ${config.ui.host}:${config.ui.port}`, error);
      return undefined;
    },
  );
  return async () => (await pending)?.close();
}
