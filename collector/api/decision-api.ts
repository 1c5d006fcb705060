/**
 * The decision API of collector mode: levels, verdicts, history, overrides, admission (rejection
 * probabilities per criticality class and their decisions) and a live decision stream, on its own listener (127.0.0.1:4320 by default), behind bearer tokens.
 */
import { diag } from '@opentelemetry/api';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Agent } from '../../agent/index.ts';
import {
  createLiveView,
  HostGuard,
  type LiveView,
  type LiveViewOptions,
  PendingBudget,
  StreamQuota,
  TokenAuth,
  VerdictCache,
} from '../../view/index.ts';
import type { ServiceDirectory } from '../service-directory.ts';
import { registerAdmissionRoutes } from './admission-routes.ts';
import { type ApiContext, sendError } from './api-context.ts';
import { clientErrorHandler } from './client-error.ts';
import { DecisionStream } from './decision-stream.ts';
import { registerOverrideRoutes } from './override-routes.ts';
import { ServiceCatalog } from './service-catalog.ts';
import { registerServiceRoutes } from './service-routes.ts';
import { registerProbeRoutes, registerStreamRoutes } from './stream-routes.ts';
import type { ApiConfig } from './types.ts';
import { registerViewRoutes } from './view-routes.ts';

/** Options of {@link startDecisionApi}. */
export interface DecisionApiOptions {
  readonly agent: Agent;
  /** Namespaces of the services (tenants of namespace-bound tokens); without it every namespace is ''. */
  readonly directory?: ServiceDirectory;
  /** The `api` config section; `enabled` is the caller's to check. */
  readonly config: ApiConfig;
  /** Interval of the stream's `: keepalive` comments, ms, on the agent's clock. @default 15000 */
  readonly keepaliveMs?: number;
  /** Why the agent is saturated now; `/-/ready` answers 503 with them while any. @default none */
  readonly saturation?: () => readonly string[];
  /** Most decision streams open at once, e.g. from the descriptor limit. @default config.maxStreams ?? 1000 */
  readonly maxStreams?: number | undefined;
  /** Most open connections, streams included (more are closed at once). @default no limit */
  readonly maxConnections?: number | undefined;
  /**
   * The live view (`ui.enabled`): `/api/v1/view`, `/api/v1/view/stream` and, with `staticFiles`,
   * `/ui` on this listener, behind the same tokens and stream quota. @default none
   */
  readonly view?: Pick<LiveViewOptions, 'ui' | 'slos' | 'staticFiles'> | undefined;
}

/** A running decision API. */
export interface DecisionApi {
  /** `http://host:port`, with the port actually bound (config port 0 picks a free one). */
  readonly url: string;
  readonly port: number;
  /**
   * Takes the tokens and anonymous scopes of a reloaded `api` config at once: a removed or changed
   * token is refused from the next request on and its open streams end. Other fields need a restart.
   */
  reconfigure(config: ApiConfig): void;
  /** Ends the streams, stops listening and unsubscribes from the agent. Idempotent. */
  close(): Promise<void>;
}

/** Largest request body, bytes: override bodies are a few hundred. */
const BODY_LIMIT_BYTES = 16 * 1024;

/** Longest service name a route accepts, characters. */
const MAX_SERVICE_NAME_LENGTH = 1024;

/** Stream cap when neither the options nor the config give one. */
const DEFAULT_MAX_STREAMS = 1000;

/**
 * Starts listening; rejects when the address cannot be bound (fail loud at startup).
 * @example
 * const api = await startDecisionApi({ agent, directory, config: config.api });
 * // curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:4320/api/v1/services
 * await api.close();
 */
export async function startDecisionApi(options: DecisionApiOptions): Promise<DecisionApi> {
  const { agent, config } = options;
  const catalog = new ServiceCatalog({ agent, directory: options.directory });
  const budget = new PendingBudget(config.maxPendingBytes);
  const stream = new DecisionStream({
    catalog,
    instanceId: agent.instanceId,
    keepaliveMs: options.keepaliveMs,
    clock: agent.clock,
    budget,
  });
  const verdicts = new VerdictCache(agent);
  const quota = new StreamQuota({
    maxStreams: options.maxStreams ?? config.maxStreams ?? DEFAULT_MAX_STREAMS,
    maxStreamsPerToken: config.maxStreamsPerToken,
  });
  const auth = new TokenAuth(config);
  const context: ApiContext = {
    agent,
    config,
    auth,
    catalog,
    verdicts,
    stream,
    saturation: options.saturation ?? (() => []),
    quota,
  };
  const view =
    options.view === undefined
      ? undefined
      : createLiveView({ ...options.view, agent, auth, quota, budget, keepaliveMs: options.keepaliveMs });
  const hosts = new HostGuard(auth, {
    listenerHost: config.host,
    externalUrl: options.view?.ui.externalUrl ?? '',
    allowedHosts: config.allowedHosts,
  });
  const app = buildApp(context, view, hosts);
  if (options.maxConnections !== undefined) app.server.maxConnections = options.maxConnections;
  const unsubscribe = agent.onDecision((decision) => stream.publish(decision));
  const stopAdmission = agent.onAdmissionDecision((decision) => stream.publishAdmission(decision));
  const stopEvictions = agent.onServiceEvicted((_service, finalState) => stream.evicted(finalState));
  const release = () => {
    unsubscribe();
    stopAdmission();
    stopEvictions();
    verdicts.close();
    view?.close();
  };
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    release();
    await app.close();
    throw error;
  }
  const reconfigure = (next: ApiConfig) => {
    auth.replace(next);
    hosts.allow(next.allowedHosts);
    stream.endUnless((principal) => auth.isCurrent(principal));
    view?.stream.endUnless((principal) => auth.isCurrent(principal));
  };
  return handle(app, config.host, release, reconfigure);
}

function buildApp(context: ApiContext, view: LiveView | undefined, hosts: HostGuard): FastifyInstance {
  const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = context.config;
  const app = Fastify({
    logger: false,
    // Slow senders are closed with a 408 within these bounds (Node checks them every second at most).
    requestTimeout: requestTimeoutMs,
    keepAliveTimeout: keepAliveTimeoutMs,
    http: {
      headersTimeout: headersTimeoutMs,
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headersTimeoutMs / 4))),
    },
    clientErrorHandler: clientErrorHandler({ headersTimeoutMs, requestTimeoutMs }),
    bodyLimit: BODY_LIMIT_BYTES,
    forceCloseConnections: true,
    // A HEAD of the stream would hold a connection open for nothing.
    exposeHeadRoutes: false,
    // Service names come from OTLP resources and may be long.
    routerOptions: { maxParamLength: MAX_SERVICE_NAME_LENGTH },
  });
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) diag.error('headroom: decision API request failed', error);
    return sendError(reply, status, status >= 500 ? 'internal error; see the agent log' : error.message);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, `no route ${request.method} ${request.url.split('?')[0]}`),
  );
  // Against DNS rebinding while api.anonymous lets callers in without a token (view/host-guard.ts).
  app.addHook('onRequest', async (request, reply) => {
    const refused = hosts.refusal(request.headers.host);
    if (refused !== undefined) return sendError(reply, 403, refused);
  });
  // Streams are hijacked: fastify's close would wait for them, so they are ended first.
  app.addHook('preClose', (done) => {
    context.stream.close();
    view?.stream.close();
    done();
  });
  registerProbeRoutes(app, context);
  registerServiceRoutes(app, context);
  registerAdmissionRoutes(app, context);
  registerOverrideRoutes(app, context);
  registerStreamRoutes(app, context);
  if (view !== undefined) registerViewRoutes(app, view.handler);
  return app;
}

function handle(
  app: FastifyInstance,
  host: string,
  release: () => void,
  reconfigure: (config: ApiConfig) => void,
): DecisionApi {
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    reconfigure,
    close() {
      closing ??= (async () => {
        release();
        await app.close();
      })();
      return closing;
    },
  };
}
