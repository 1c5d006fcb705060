/**
 * The OTLP/gRPC listener of collector mode (`receiver.grpc`): TraceService/Export and
 * MetricsService/Export on one grpc-js server, with identity (de)serializers, so the raw message
 * bytes go to the same wire decoder as OTLP/HTTP protobuf bodies. grpc-js inflates gzip (and
 * deflate) messages and refuses a message larger than `maxBodyBytes` with RESOURCE_EXHAUSTED.
 * Its HTTP/2 receive windows are 1 MiB instead of 64 KiB (`flow-control.ts`).
 * `@grpc/grpc-js` is loaded only when the listener starts.
 */
import type { Server } from '@grpc/grpc-js';
import { diag } from '@opentelemetry/api';
import type { Clock, TimerHandle } from '../../../agent/index.ts';
import type { ExportCore } from '../export-core.ts';
import { widenFlowControl } from './flow-control.ts';
import { exportCall } from './grpc-export.ts';
import { callGate, type GateOptions } from './grpc-gate.ts';
import { refusalError } from './grpc-refusals.ts';

/** Options of {@link startGrpcListener}. */
export interface GrpcListenerOptions extends Omit<GateOptions, 'toError' | 'grpc'> {
  readonly core: ExportCore;
  /** Sent as RetryInfo with retryable refusals, ms. */
  readonly retryAfterMs: number;
  /** Address to listen on; port 0 picks a free one. */
  readonly host: string;
  readonly port: number;
  /**
   * Calls one connection may have open at once (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS; clients
   * queue the rest): grpc-js holds each call's whole message before the handler runs, so this
   * bounds what one connection can make the listener hold to `maxConcurrentCalls` x `maxBodyBytes`.
   */
  readonly maxConcurrentCalls: number;
}

/** A running gRPC listener. */
export interface GrpcListener {
  /** The port listened on (the one picked when the config said 0). */
  readonly port: number;
  /** `host:port`, e.g. `127.0.0.1:4317` (IPv6 hosts in brackets). */
  readonly address: string;
  /**
   * Stops listening, refuses new calls (HTTP/2 GOAWAY: clients retry them elsewhere or later) and
   * lets calls in flight finish for at most `drainTimeoutMs` of `clock`, then cuts them. Idempotent.
   */
  close(drainTimeoutMs: number, clock: Clock): Promise<void>;
}

const PACKAGES = {
  traces: 'opentelemetry.proto.collector.trace.v1.TraceService',
  metrics: 'opentelemetry.proto.collector.metrics.v1.MetricsService',
} as const;

const identity = (bytes: Buffer): Buffer => bytes;

function exportMethod(service: string) {
  return {
    Export: {
      path: `/${service}/Export`,
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  };
}

/**
 * Starts listening.
 * @throws the grpc-js bind error when the address cannot be bound (e.g. the port is taken)
 */
export async function startGrpcListener(options: GrpcListenerOptions): Promise<GrpcListener> {
  const grpc = await import('@grpc/grpc-js');
  // grpc-js writes its own lines to stderr (e.g. a failed bind, which ListenError reports): they go
  // to OpenTelemetry's diag at debug level instead, so the agent's log stays JSON lines.
  const toDiag = (...args: unknown[]): void => diag.debug(`headroom: grpc-js: ${args.join(' ')}`);
  grpc.setLogger({ error: toDiag, info: toDiag, debug: toDiag });
  const toError = refusalError(options.counters, () => new grpc.Metadata(), options.retryAfterMs);
  const gate = callGate({ ...options, toError, grpc });
  const server = new grpc.Server({
    'grpc.max_receive_message_length': options.maxBodyBytes,
    'grpc.max_send_message_length': 64 * 1024,
    'grpc.max_concurrent_streams': options.maxConcurrentCalls,
    interceptors: [gate.interceptor],
  });
  const exportOptions = { core: options.core, gate, toError };
  server.addService(exportMethod(PACKAGES.traces), { Export: exportCall('traces', exportOptions) });
  server.addService(exportMethod(PACKAGES.metrics), { Export: exportCall('metrics', exportOptions) });
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const port = await bind(server, `${host}:${options.port}`, grpc.ServerCredentials.createInsecure());
  widenFlowControl(server);
  let closed: Promise<void> | undefined;
  return {
    port,
    address: `${host}:${port}`,
    close: (drainTimeoutMs, clock) => {
      closed ??= shutdown(server, drainTimeoutMs, clock);
      return closed;
    },
  };
}

function bind(
  server: Server,
  address: string,
  credentials: Parameters<Server['bindAsync']>[1],
): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (error, port) =>
      error ? reject(withCode(error)) : resolve(port),
    );
  });
}

/**
 * grpc-js reports a failed bind as "No address added ... errors: [listen EADDRINUSE: ...]" without
 * a `code`: the system error code is read from the message, so ListenError can name it.
 */
function withCode(error: Error): Error {
  const code = /\b(E[A-Z]+):/.exec(error.message)?.[1];
  return code === undefined ? error : Object.assign(error, { code });
}

/** grpc-js `tryShutdown` waits for the calls in flight; past the drain bound, `forceShutdown` cuts them. */
async function shutdown(server: Server, drainTimeoutMs: number, clock: Clock): Promise<void> {
  let timer: TimerHandle | undefined;
  const drained = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  const expired = new Promise<void>((resolve) => {
    timer = clock.after(drainTimeoutMs, resolve);
  });
  await Promise.race([drained, expired]);
  timer?.cancel();
  server.forceShutdown();
}
