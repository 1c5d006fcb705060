/**
 * A tiny OTLP/gRPC backend on 127.0.0.1 for tests: a real @grpc/grpc-js server on its own port
 * (0) answering TraceService/Export and MetricsService/Export, recording what it accepted (the
 * raw message bytes, as received, and read by the same protobuf reader as OtlpSink), and
 * scriptable: a status code (with RetryInfo), a partial success, or no answer at all; it can be
 * stopped and restarted on the same port (held by a {@link PortGate} meanwhile, so no other server
 * can be given it).
 */
import * as grpc from '@grpc/grpc-js';
import { OTLP_GRPC_METHODS } from '../../exporters/delivery/index.ts';
import {
  decodeOtlpRequest,
  type ReceivedMetric,
  type ReceivedSpan,
  receivedMetrics,
  receivedSpans,
} from '../exporters/otlp/otlp-request-decoder.ts';
import { PortGate } from './port-gate.ts';

/** How the sink answers one call. */
export type GrpcSinkReply =
  | { readonly code: grpc.status; readonly retryDelayMs?: number }
  | { readonly rejected: number; readonly message: string }
  | 'hang';

/** One call as the sink saw it. */
export interface GrpcSinkCall {
  readonly signal: 'traces' | 'metrics';
  /** Call metadata (user agent and gRPC's own keys removed). */
  readonly metadata: Readonly<Record<string, string>>;
  /** The code answered (0 for OK and partial success), or 'hang'. */
  readonly reply: number | 'hang';
}

const identity = (bytes: Buffer): Buffer => bytes;
const GRPC_KEYS = new Set(['user-agent', 'grpc-accept-encoding', 'grpc-encoding', 'content-type', 'te']);

export class OtlpGrpcSink {
  readonly calls: GrpcSinkCall[] = [];
  /** Spans of accepted calls (all of a partial success's: the sink does not pick which it refused). */
  readonly spans: ReceivedSpan[] = [];
  readonly metrics: ReceivedMetric[] = [];
  /** The request message of each call exactly as received (after gRPC decompression), by call. */
  readonly #bodies: Buffer[] = [];
  #server = new grpc.Server();
  readonly #scripted: GrpcSinkReply[] = [];
  readonly #hung: (() => void)[] = [];
  #gate: PortGate | undefined;

  private constructor() {}

  /** Starts a sink on an ephemeral loopback port. */
  static async start(): Promise<OtlpGrpcSink> {
    const sink = new OtlpGrpcSink();
    sink.#gate = await PortGate.start(await sink.#listen());
    return sink;
  }

  /** Request bodies of the calls answered OK (or with a partial success) for `signal`, in order. */
  accepted(signal: 'traces' | 'metrics'): Buffer[] {
    return this.#bodies.filter((_, i) => this.calls[i]?.signal === signal && this.calls[i]?.reply === 0);
  }

  /** Listens again on the same port after {@link stop}: the backend is back. */
  async restart(): Promise<void> {
    this.#gate?.up(await this.#listen());
  }

  /** Binds a new server on an ephemeral loopback port; its number. */
  async #listen(): Promise<number> {
    const server = new grpc.Server();
    for (const signal of ['traces', 'metrics'] as const) {
      server.register<Buffer, Buffer>(
        OTLP_GRPC_METHODS[signal],
        (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) =>
          this.#answer(signal, call, callback),
        identity,
        identity,
        'unary',
      );
    }
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    this.#server = server;
    return port;
  }

  /** The target, as `exporters.otlp.endpoint` takes it with `protocol: grpc`. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.#gate?.port}`;
  }

  /** Answers the next calls with `replies`, in order; then OK again. */
  script(...replies: GrpcSinkReply[]): void {
    this.#scripted.push(...replies);
  }

  /** Stops at once, cutting hung calls. */
  async stop(): Promise<void> {
    this.#gate?.down();
    for (const release of this.#hung.splice(0)) release();
    this.#server.forceShutdown();
  }

  #answer(
    signal: 'traces' | 'metrics',
    call: grpc.ServerUnaryCall<Buffer, Buffer>,
    callback: grpc.sendUnaryData<Buffer>,
  ): void {
    const reply = this.#scripted.shift() ?? { code: grpc.status.OK };
    const metadata = Object.fromEntries(
      Object.entries(call.metadata.getMap())
        .filter(([key]) => !GRPC_KEYS.has(key))
        .map(([key, value]) => [key, String(value)]),
    );
    this.#bodies.push(call.request);
    this.calls.push({
      signal,
      metadata,
      reply: reply === 'hang' ? 'hang' : 'code' in reply ? reply.code : 0,
    });
    if (reply === 'hang') {
      this.#hung.push(() => callback({ code: grpc.status.UNAVAILABLE, details: 'sink stopped' }));
      return;
    }
    if ('code' in reply && reply.code !== grpc.status.OK) {
      const trailers = new grpc.Metadata();
      if (reply.retryDelayMs !== undefined)
        trailers.set('grpc-status-details-bin', statusWithRetryInfo(reply.code, reply.retryDelayMs));
      callback({ code: reply.code, details: 'scripted refusal', metadata: trailers });
      return;
    }
    const request = decodeOtlpRequest(signal, call.request, 'application/x-protobuf');
    if (signal === 'traces') this.spans.push(...receivedSpans(request));
    else this.metrics.push(...receivedMetrics(request));
    callback(null, 'rejected' in reply ? partialSuccess(reply.rejected, reply.message) : Buffer.alloc(0));
  }
}

/** An Export*ServiceResponse with partial_success { rejected_* = rejected, error_message }. */
function partialSuccess(rejected: number, message: string): Buffer {
  const text = Buffer.from(message);
  const partial = Buffer.concat([
    Buffer.from([0x08, ...varint(rejected), 0x12, ...varint(text.length)]),
    text,
  ]);
  return Buffer.concat([Buffer.from([0x0a, ...varint(partial.length)]), partial]);
}

/** A google.rpc.Status { code, details: [Any(RetryInfo { retry_delay })] }, as a server sends it. */
export function statusWithRetryInfo(code: number, delayMs: number): Buffer {
  const seconds = Math.floor(delayMs / 1000);
  const nanos = (delayMs % 1000) * 1_000_000;
  const duration = Buffer.from([0x08, ...varint(seconds), 0x10, ...varint(nanos)]);
  const retryInfo = Buffer.concat([Buffer.from([0x0a, duration.length]), duration]);
  const typeUrl = Buffer.from('type.googleapis.com/google.rpc.RetryInfo');
  const any = Buffer.concat([
    Buffer.from([0x0a, typeUrl.length]),
    typeUrl,
    Buffer.from([0x12, retryInfo.length]),
    retryInfo,
  ]);
  return Buffer.concat([Buffer.from([0x08, code, 0x1a, any.length]), any]);
}

function varint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}
