/**
 * The bodies the receiver answers with, in the request's encoding (OTLP/HTTP: "the server MUST use
 * the same Content-Type in the response as it received in the request"): an
 * `Export<Signal>ServiceResponse` on success (empty, or with `partial_success`), a `google.rpc.Status`
 * on failure. Small enough to write by hand: protobuf field numbers from
 * `collector/{trace,metrics}/v1/*_service.proto` and `google/rpc/status.proto`.
 */
import type { OtlpEncoding } from './types.ts';

/** The signal a response is for: it names the `rejected_*` field in JSON. */
export type OtlpSignal = 'traces' | 'metrics';

/** `Content-Type` of each encoding. */
export const CONTENT_TYPES: Readonly<Record<OtlpEncoding, string>> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

const REJECTED_FIELD: Readonly<Record<OtlpSignal, string>> = {
  traces: 'rejectedSpans',
  metrics: 'rejectedDataPoints',
};

// Both partial-success messages: rejected_* = 1 (int64), error_message = 2; the response: partial_success = 1.
// google.rpc.Status: code = 1 (int32), message = 2.
const TAG_1_VARINT = 0x08;
const TAG_1_BYTES = 0x0a;
const TAG_2_BYTES = 0x12;
const EMPTY = Buffer.alloc(0);

/**
 * The success body; `partial_success` is set only when something was rejected or there is a
 * message, as the spec requires ("MUST leave the partial_success field unset" on full success).
 */
export function exportResponse(
  encoding: OtlpEncoding,
  signal: OtlpSignal,
  rejected: number,
  message: string,
): Buffer {
  const partial = rejected > 0 || message !== '';
  if (encoding === 'json') {
    if (!partial) return Buffer.from('{}');
    // int64 fields are decimal strings in the proto3 JSON mapping.
    const partialSuccess = { [REJECTED_FIELD[signal]]: String(rejected), errorMessage: message };
    return Buffer.from(JSON.stringify({ partialSuccess }));
  }
  if (!partial) return EMPTY;
  const inner = Buffer.concat([varintField(TAG_1_VARINT, rejected), stringField(TAG_2_BYTES, message)]);
  return Buffer.concat([Buffer.from([TAG_1_BYTES]), varint(inner.length), inner]);
}

/**
 * A `google.rpc.Status` with a gRPC code (which OTLP clients may log but do not act on) and a
 * developer-facing message.
 */
export function statusResponse(encoding: OtlpEncoding, code: number, message: string): Buffer {
  if (encoding === 'json') return Buffer.from(JSON.stringify({ code, message }));
  return Buffer.concat([varintField(TAG_1_VARINT, code), stringField(TAG_2_BYTES, message)]);
}

/** gRPC status codes for the HTTP statuses the receiver sends (google/rpc/code.proto). */
export function grpcCodeOf(httpStatus: number): number {
  switch (httpStatus) {
    case 400:
    case 415:
      return 3; // INVALID_ARGUMENT
    case 401:
      return 16; // UNAUTHENTICATED
    case 403:
      return 7; // PERMISSION_DENIED
    case 404:
      return 5; // NOT_FOUND
    case 408:
      return 4; // DEADLINE_EXCEEDED
    case 405:
      return 12; // UNIMPLEMENTED
    case 413:
    case 429:
      return 8; // RESOURCE_EXHAUSTED
    case 503:
      return 14; // UNAVAILABLE
    default:
      return 13; // INTERNAL
  }
}

function varintField(tag: number, value: number): Buffer {
  return value === 0 ? EMPTY : Buffer.concat([Buffer.from([tag]), varint(value)]);
}

function stringField(tag: number, value: string): Buffer {
  if (value === '') return EMPTY;
  const bytes = Buffer.from(value, 'utf8');
  return Buffer.concat([Buffer.from([tag]), varint(bytes.length), bytes]);
}

/** A non-negative integer below 2^53 as a protobuf varint (base-128, least significant group first). */
export function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}
