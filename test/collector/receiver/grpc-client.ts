/**
 * A real @grpc/grpc-js client for the receiver's OTLP/gRPC listener, with identity serializers:
 * it sends raw message bytes and reads back the raw response, or the status with its trailers.
 */
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';

const identity = (bytes: Buffer): Buffer => bytes;

const TRACES_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
export const METRICS_PATH = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';

/** How a call ended: OK with the response bytes, or a status code, details and the RetryInfo delay. */
export type CallOutcome =
  | { readonly code: 0; readonly response: Buffer }
  | { readonly code: number; readonly details: string; readonly retryDelayMs: number | undefined };

/** Options of {@link exportCall}. */
export interface CallOptions {
  readonly path?: string;
  readonly authorization?: string;
  /** Compresses the message with gzip. */
  readonly gzip?: boolean;
}

/** One unary `Export` call on a new channel to `address` (`host:port`). */
export function exportCall(
  address: string,
  message: Uint8Array,
  options: CallOptions = {},
): Promise<CallOutcome> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), {
    'grpc.default_compression_algorithm': options.gzip
      ? grpc.compressionAlgorithms.gzip
      : grpc.compressionAlgorithms.identity,
    'grpc.max_send_message_length': -1,
  });
  const metadata = new grpc.Metadata();
  if (options.authorization !== undefined) metadata.set('authorization', options.authorization);
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      options.path ?? TRACES_PATH,
      identity,
      identity,
      Buffer.from(message),
      metadata,
      (error: grpc.ServiceError | null, response?: Buffer) => {
        client.close();
        if (error === null) resolve({ code: 0, response: response ?? Buffer.alloc(0) });
        else
          resolve({ code: error.code, details: error.details, retryDelayMs: retryDelayOf(error.metadata) });
      },
    );
  });
}

const STATUS = protobuf.parse(
  `
syntax = "proto3";
message Any { string type_url = 1; bytes value = 2; }
message Status { int32 code = 1; string message = 2; repeated Any details = 3; }
message Duration { int64 seconds = 1; int32 nanos = 2; }
message RetryInfo { Duration retry_delay = 1; }
`,
  { keepCase: true },
).root;

/** The RetryInfo delay in `grpc-status-details-bin`, ms; undefined when there is none. */
function retryDelayOf(metadata: grpc.Metadata | undefined): number | undefined {
  const [bin] = metadata?.get('grpc-status-details-bin') ?? [];
  if (!(bin instanceof Buffer)) return undefined;
  const status = STATUS.lookupType('Status').decode(bin) as unknown as {
    details: { type_url: string; value: Uint8Array }[];
  };
  const detail = status.details.find((d) => d.type_url === 'type.googleapis.com/google.rpc.RetryInfo');
  if (detail === undefined) return undefined;
  const info = STATUS.lookupType('RetryInfo').decode(detail.value) as unknown as {
    retry_delay: { seconds: number | { toNumber(): number }; nanos: number };
  };
  const seconds = Number(info.retry_delay.seconds);
  return seconds * 1000 + info.retry_delay.nanos / 1e6;
}
