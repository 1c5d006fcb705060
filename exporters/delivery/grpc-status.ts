/**
 * How a gRPC export call ended, as the OTLP specification classifies it (otlp.md, "Failures"):
 * CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE and DATA_LOSS are retryable;
 * RESOURCE_EXHAUSTED only when the server sent RetryInfo (it can recover); every other code is
 * not. A server's `google.rpc.RetryInfo` (in the `grpc-status-details-bin` trailer) gives the
 * delay before the retry, as Retry-After does over HTTP.
 */
import type { DeliveryResult } from './types.ts';

/** gRPC status codes the classification names. */
const RETRYABLE = new Set([1, 4, 10, 11, 14, 15]);
const RESOURCE_EXHAUSTED = 8;
const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';
/** Longest delay honoured, ms: a larger one is read as this (the retry policy still bounds it). */
const MAX_DELAY_MS = 24 * 3600 * 1000;

/** The end of a call that did not succeed: its code, message and status details (binary). */
export interface GrpcFailure {
  readonly code: number;
  readonly details: string;
  readonly statusDetails?: Uint8Array | undefined;
}

/** Classifies a failed call; never throws (unreadable details count as absent). */
export function classifyGrpcFailure(failure: GrpcFailure): Exclude<DeliveryResult, { status: 'success' }> {
  const retryAfterMs = failure.statusDetails && retryDelayMs(failure.statusDetails);
  const error = new Error(`gRPC status ${failure.code}: ${failure.details}`);
  const retryable =
    RETRYABLE.has(failure.code) || (failure.code === RESOURCE_EXHAUSTED && retryAfterMs !== undefined);
  if (!retryable) return { status: 'failure', error };
  return retryAfterMs === undefined
    ? { status: 'retryable', error }
    : { status: 'retryable', retryAfterMs, error };
}

/** The RetryInfo delay in a serialized `google.rpc.Status`, ms; `undefined` when absent or unreadable. */
function retryDelayMs(status: Uint8Array): number | undefined {
  try {
    for (const detail of fields(status)) {
      if (detail.number !== 3 || !(detail.value instanceof Uint8Array)) continue;
      const any = new Map([...fields(detail.value)].map((field) => [field.number, field.value]));
      const typeUrl = any.get(1);
      const value = any.get(2);
      if (!(typeUrl instanceof Uint8Array) || !(value instanceof Uint8Array)) continue;
      if (Buffer.from(typeUrl).toString('utf8') !== RETRY_INFO) continue;
      for (const field of fields(value)) {
        if (field.number === 1 && field.value instanceof Uint8Array) return durationMs(field.value);
      }
      return 0;
    }
  } catch {
    // A malformed status carries no usable delay.
  }
  return undefined;
}

/** A `google.protobuf.Duration`, ms, bounded to [0, 1 day]. */
function durationMs(bytes: Uint8Array): number {
  let seconds = 0;
  let nanos = 0;
  for (const field of fields(bytes)) {
    if (field.number === 1 && typeof field.value === 'number') seconds = field.value;
    if (field.number === 2 && typeof field.value === 'number') nanos = field.value;
  }
  return Math.min(MAX_DELAY_MS, Math.max(0, Math.round(seconds * 1000 + nanos / 1e6)));
}

interface Field {
  readonly number: number;
  /** A varint (as a number, precision beyond 2^53 lost) or length-delimited bytes. */
  readonly value: number | Uint8Array;
}

/** The fields of a protobuf message; throws on malformed input. */
function* fields(bytes: Uint8Array): Generator<Field> {
  const at = { offset: 0 };
  while (at.offset < bytes.length) {
    const key = varint(bytes, at);
    const number = Math.floor(key / 8);
    const wireType = key % 8;
    if (wireType === 0) yield { number, value: varint(bytes, at) };
    else if (wireType === 2) {
      const length = varint(bytes, at);
      if (at.offset + length > bytes.length) throw new Error('length past the end');
      yield { number, value: bytes.subarray(at.offset, at.offset + length) };
      at.offset += length;
    } else if (wireType === 1 || wireType === 5) at.offset += wireType === 1 ? 8 : 4;
    else throw new Error(`wire type ${wireType}`);
  }
}

function varint(bytes: Uint8Array, at: { offset: number }): number {
  let value = 0;
  for (let shift = 0; shift < 70; shift += 7) {
    if (at.offset >= bytes.length) throw new Error('varint past the end');
    const byte = bytes[at.offset++] as number;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return value;
  }
  throw new Error('varint too long');
}
