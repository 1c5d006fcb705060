/**
 * The `grpc-status-details-bin` trailer of a refused OTLP/gRPC export: a `google.rpc.Status` whose
 * `details` carry a `google.rpc.RetryInfo` with the delay the client should wait. The OTLP
 * specification names it for throttling: UNAVAILABLE and RESOURCE_EXHAUSTED are retried after it,
 * and RESOURCE_EXHAUSTED is retryable only when it is there. Encoded by hand (field numbers from
 * google/rpc/status.proto, error_details.proto, google/protobuf/any.proto and duration.proto).
 */
import { statusResponse, varint } from '../otlp-responses.ts';

const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';
// Status.details = 3; Any.type_url = 1, Any.value = 2; RetryInfo.retry_delay = 1;
// Duration.seconds = 1 (varint), Duration.nanos = 2 (varint).
const TAG_1_BYTES = 0x0a;
const TAG_2_BYTES = 0x12;
const TAG_3_BYTES = 0x1a;
const TAG_1_VARINT = 0x08;
const TAG_2_VARINT = 0x10;

/**
 * A serialized `google.rpc.Status` with `code`, `message` and, when `retryDelayMs` is given, a
 * RetryInfo of that delay (ms, >= 0).
 */
export function statusDetails(code: number, message: string, retryDelayMs?: number): Buffer {
  const status = statusResponse('protobuf', code, message);
  if (retryDelayMs === undefined) return status;
  const seconds = Math.floor(retryDelayMs / 1000);
  const nanos = Math.round((retryDelayMs % 1000) * 1e6);
  const duration = Buffer.concat([
    seconds > 0 ? Buffer.concat([Buffer.from([TAG_1_VARINT]), varint(seconds)]) : Buffer.alloc(0),
    nanos > 0 ? Buffer.concat([Buffer.from([TAG_2_VARINT]), varint(nanos)]) : Buffer.alloc(0),
  ]);
  const retryInfo = lengthDelimited(TAG_1_BYTES, duration);
  const any = Buffer.concat([
    lengthDelimited(TAG_1_BYTES, Buffer.from(RETRY_INFO_TYPE_URL)),
    lengthDelimited(TAG_2_BYTES, retryInfo),
  ]);
  return Buffer.concat([status, lengthDelimited(TAG_3_BYTES, any)]);
}

function lengthDelimited(tag: number, bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), varint(bytes.length), bytes]);
}
