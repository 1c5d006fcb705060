/**
 * The gRPC client of the exporters (`exporters.otlp.protocol: grpc`): one unary OTLP Export call,
 * no retries (the delivery queue decides what happens next), on one channel. Messages go as raw
 * bytes (identity (de)serializers): the caller serializes with the official OTLP serializers, or
 * forwards received protobuf bytes unchanged. `@grpc/grpc-js` is loaded on the first call only,
 * so an embedded import never loads it unless gRPC export is configured.
 */
import type * as Grpc from '@grpc/grpc-js';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { systemClock } from '../../agent/index.ts';
import { classifyGrpcFailure } from './grpc-status.ts';
import type { Transport, TransportResult } from './types.ts';

/** The OTLP Export methods, by signal. */
export const OTLP_GRPC_METHODS = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
} as const;

export interface GrpcTransportOptions {
  /** `http://host:port` (plaintext) or `https://host:port` (TLS); the OTLP default port is 4317. */
  readonly endpoint: string;
  /** One of {@link OTLP_GRPC_METHODS}. */
  readonly method: string;
  /** Sent as call metadata (keys lower-cased, as gRPC requires). */
  readonly headers: Readonly<Record<string, string>>;
  /** @default 'none' */
  readonly compression?: 'gzip' | 'none';
  /** Deadline of one call, ms. */
  readonly timeoutMs: number;
}

const identity = (bytes: Buffer): Buffer => bytes;
const GZIP = 2; // grpc-js CompressionAlgorithms.gzip

/** Sends Export calls to one endpoint; `send` never rejects. */
export class GrpcTransport implements Transport {
  readonly #options: GrpcTransportOptions;
  #client: Promise<{ grpc: typeof Grpc; client: Grpc.Client }> | undefined;

  constructor(options: GrpcTransportOptions) {
    this.#options = options;
  }

  /** Makes one call with `body`; resolves with the classified outcome, or a failure once `signal` aborts. */
  async send(body: Uint8Array, signal: AbortSignal): Promise<TransportResult> {
    try {
      const { grpc, client } = await this.#connect();
      const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      // Our own calls must not be traced (gRPC instrumentation would feed them back).
      return await context.with(suppressTracing(context.active()), () =>
        this.#call(grpc, client, bytes, signal),
      );
    } catch (error) {
      return { status: 'failure', error: error instanceof Error ? error : new Error(String(error)) };
    }
  }

  /** Closes the channel. */
  shutdown(): void {
    void this.#client?.then(({ client }) => client.close()).catch(() => undefined);
  }

  #connect(): Promise<{ grpc: typeof Grpc; client: Grpc.Client }> {
    this.#client ??= import('@grpc/grpc-js').then((grpc) => {
      const url = new URL(this.#options.endpoint);
      const secure = url.protocol === 'https:';
      const credentials = secure ? grpc.credentials.createSsl() : grpc.credentials.createInsecure();
      const options: Grpc.ChannelOptions = {
        'grpc.primary_user_agent': 'headroom-otel', // the package name as User-Agent, as over HTTP
        ...(this.#options.compression === 'gzip' && { 'grpc.default_compression_algorithm': GZIP }),
      };
      return { grpc, client: new grpc.Client(url.host, credentials, options) };
    });
    return this.#client;
  }

  #call(grpc: typeof Grpc, client: Grpc.Client, body: Buffer, signal: AbortSignal): Promise<TransportResult> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve({ status: 'failure', error: new Error('request aborted') });
      const metadata = new grpc.Metadata();
      for (const [key, value] of Object.entries(this.#options.headers))
        metadata.set(key.toLowerCase(), value);
      // The real clock, as HttpTransport's timeout: the deadline bounds real I/O, not a test clock.
      const deadline = new Date(systemClock.now() + this.#options.timeoutMs);
      const onAbort = (): void => call.cancel();
      const call = client.makeUnaryRequest<Buffer, Buffer>(
        this.#options.method,
        identity,
        identity,
        body,
        metadata,
        { deadline },
        (error, reply) => {
          signal.removeEventListener('abort', onAbort);
          if (error === null && reply !== undefined)
            return resolve({ status: 'success', rejected: 0, body: reply });
          if (signal.aborted) return resolve({ status: 'failure', error: new Error('request aborted') });
          const details = error?.metadata?.get('grpc-status-details-bin')[0];
          resolve(
            classifyGrpcFailure({
              code: error?.code ?? grpc.status.UNKNOWN,
              details: error?.details ?? 'no reply',
              statusDetails: Buffer.isBuffer(details) ? details : undefined,
            }),
          );
        },
      );
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
