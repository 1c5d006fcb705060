/**
 * The OTLP/HTTP receiver of collector mode: POST /v1/traces and /v1/metrics, binary protobuf or
 * JSON, optionally gzipped. Spans feed the agent's windows; metrics are counted and passed on.
 *
 * Built on `node:http` rather than fastify (which the decision API uses): the receiver must refuse
 * on headers alone before any body byte is read, inflate gzip under a limit while streaming, and
 * answer every failure (404, 405, 413, 415 included) with an OTLP `Status` in the request's
 * encoding; with two routes, that is less code than overriding fastify's parsers and built-in errors.
 */
import { createServer } from 'node:http';
import type { Agent, RuleMatcher } from '../../agent/index.ts';
import type { ResolvedConfig } from '../../config/index.ts';
import { ListenError } from '../../errors.ts';
import type { ServiceDirectory } from '../service-directory.ts';
import { Admission } from './admission.ts';
import { answerClientError } from './client-error.ts';
import { ExportCore, type OtlpPassThrough } from './export-core.ts';
import { type GrpcListener, type GrpcListenerOptions, startGrpcListener } from './grpc/grpc-server.ts';
import { listen, serverTimeouts, shutdown } from './http-listener.ts';
import { ReceiverCounters } from './receiver-counters.ts';
import { RequestHandler } from './request-handler.ts';
import { type ReceiverTokens, SenderAuth } from './sender-auth.ts';
import { SpanIngest } from './span-ingest.ts';
import type { ReceiverStats } from './types.ts';

/** The `receiver` section of the config. */
export type ReceiverConfig = ResolvedConfig['receiver'];

/** Options of {@link startReceiver}. */
export interface ReceiverOptions {
  /** Records the spans; its clock bounds end times (at most one window ahead) and times the bodies. */
  readonly agent: Agent;
  /** Maps spans without `headroom.*` attributes to contexts; replace with `setRules` on reload. */
  readonly rules: RuleMatcher;
  /** Notes every service that sends spans, with its namespace; caps the number of services. */
  readonly directory: ServiceDirectory;
  /** Host, port (0 picks a free one), sender tokens, body and overload limits. `enabled` is the caller's business. */
  readonly config: ReceiverConfig;
  /** Gets each metrics request that decoded, decompressed, e.g. to forward it. */
  readonly onMetrics?: OtlpPassThrough;
  /** Gets each trace request that decoded, decompressed, e.g. to forward it to a tracing backend. */
  readonly onTraces?: OtlpPassThrough;
  /** Longest `close()` waits for requests in flight before cutting them off, ms of the agent's clock. @default 5000 */
  readonly drainTimeoutMs?: number;
  /** Heap use, bytes, checked against `config.maxMemoryBytes`. @default process.memoryUsage().heapUsed */
  readonly heapUsedBytes?: () => number;
  /**
   * Most open connections (more are closed at once), e.g. derived from the descriptor limit.
   * @default config.maxConnections; no limit when that is unset
   */
  readonly maxConnections?: number | undefined;
}

/** A running receiver. */
export interface OtlpReceiver {
  /** Base URL, e.g. `http://127.0.0.1:4318` (append `/v1/traces`). */
  readonly url: string;
  /** The port listened on (the one picked when the config said 0). */
  readonly port: number;
  /** The OTLP/gRPC listener's `host:port`, e.g. `127.0.0.1:4317`; undefined when `receiver.grpc` is off. */
  readonly grpcAddress: string | undefined;
  /** Counters for the agent's own metrics. */
  stats(): ReceiverStats;
  /** Accepted spans whose `headroom.criticality` was no class (they counted in their series' class). */
  readonly invalidCriticalities: number;
  /** Replaces the span rules (config reload); limits and address need a restart. */
  setRules(rules: RuleMatcher): void;
  /** Replaces `receiver.tokens` (config reload): a removed token is refused from the next request on. */
  setTokens(tokens: ReceiverTokens): void;
  /**
   * Stops accepting; requests already accepted (on keep-alive connections too) get their response
   * for at most `drainTimeoutMs`, then every connection is closed. Idempotent; afterwards nothing
   * of the receiver keeps the process alive.
   */
  close(): Promise<void>;
}

const DEFAULT_DRAIN_TIMEOUT_MS = 5000;

/** The pieces the gRPC listener shares with the HTTP one. */
type Shared = Pick<GrpcListenerOptions, 'core' | 'admission' | 'auth' | 'counters' | 'clock'>;

/** Starts the OTLP/gRPC listener when `receiver.grpc` is on; rejects when it cannot bind. */
async function startGrpc(options: ReceiverOptions, shared: Shared): Promise<GrpcListener | undefined> {
  const { config } = options;
  if (!config.grpc.enabled) return undefined;
  return startGrpcListener({
    ...shared,
    host: config.grpc.host,
    port: config.grpc.port,
    maxBodyBytes: config.maxBodyBytes,
    maxConcurrentCalls: config.maxQueuedRequests,
    retryAfterMs: config.retryAfterMs,
    bodyTimeoutMs: config.bodyTimeoutMs,
  });
}

/**
 * Starts listening; rejects when the address cannot be bound (e.g. `EADDRINUSE`).
 * @example
 * const receiver = await startReceiver({ agent, rules: new RuleMatcher(config.rules),
 *   directory: new ServiceDirectory(), config: config.receiver });
 * // OTEL_EXPORTER_OTLP_ENDPOINT=${receiver.url} in the services
 */
export async function startReceiver(options: ReceiverOptions): Promise<OtlpReceiver> {
  const { config } = options;
  const counters = new ReceiverCounters();
  const admission = new Admission({
    maxBufferedBytes: config.maxQueuedRequests * config.maxBodyBytes,
    maxHeapBytes: config.maxMemoryBytes,
    heapUsedBytes: options.heapUsedBytes,
    clock: options.agent.clock,
  });
  const ingest = new SpanIngest({
    agent: options.agent,
    rules: options.rules,
    directory: options.directory,
    maxClockSkewMs: config.maxClockSkewMs,
  });
  // An evicted service's skew estimate goes with it (its series in the exposition too).
  const stopForgetting = options.directory.onEvict(({ service, namespace }) =>
    ingest.clocks.skews.forget(service, namespace),
  );
  const auth = new SenderAuth(config.tokens);
  const handler = new RequestHandler({
    ingest,
    admission,
    counters,
    auth,
    maxBodyBytes: config.maxBodyBytes,
    retryAfterMs: config.retryAfterMs,
    bodyDeadline: {
      timeoutMs: config.bodyTimeoutMs,
      minBytesPerSecond: config.minBodyBytesPerSecond,
      graceMs: config.bodyRateGracePeriodMs,
    },
    clock: options.agent.clock,
    onTraces: options.onTraces,
    onMetrics: options.onMetrics,
  });
  const server = createServer(serverTimeouts(config), (request, response) =>
    handler.handle(request, response),
  );
  const maxConnections = options.maxConnections ?? config.maxConnections;
  if (maxConnections !== undefined) server.maxConnections = maxConnections;
  server.on('clientError', (error, socket) => answerClientError(error, socket, counters, config));
  // Expect: 100-continue: refuse before the client even sends the body.
  server.on('checkContinue', (request, response) => handler.handle(request, response, true));
  const port = await listen(server, config.host, config.port);
  const core = new ExportCore({ ...options, ingest, counters });
  const grpc = await startGrpc(options, {
    core,
    admission,
    auth,
    counters,
    clock: options.agent.clock,
  }).catch((error: unknown) => {
    server.close();
    throw new ListenError('OTLP/gRPC receiver', `${config.grpc.host}:${config.grpc.port}`, { cause: error });
  });
  let closed: Promise<void> | undefined;
  return {
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    port,
    grpcAddress: grpc?.address,
    stats: () => ({
      ...counters.snapshot(admission.inFlight, ingest.clocks.skews.list(options.agent.clock.now())),
      bufferedBodyBytes: admission.bufferedBytes,
    }),
    get invalidCriticalities() {
      return ingest.invalidCriticalities;
    },
    setRules: (rules) => ingest.setRules(rules),
    setTokens: (tokens) => auth.setTokens(tokens),
    close: () => {
      stopForgetting();
      const drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
      const clock = options.agent.clock;
      closed ??= Promise.all([
        shutdown(server, handler, admission, { drainTimeoutMs, clock }),
        grpc?.close(drainTimeoutMs, clock),
      ]).then(() => undefined);
      return closed;
    },
  };
}
