/**
 * One OTLP/gRPC `Export` call (TraceService or MetricsService), from metadata to status: its
 * sender authenticated from `authorization: Bearer` metadata (UNAUTHENTICATED), admitted or refused for overload (UNAVAILABLE when memory is short,
 * RESOURCE_EXHAUSTED when the request budget is full, both with RetryInfo), then the raw message
 * bytes (grpc-js has already inflated gzip and enforced the message size limit) handed to the
 * same export core as OTLP/HTTP: a bad message is INVALID_ARGUMENT, data outside the sender's
 * namespace PERMISSION_DENIED, a message that cannot be kept UNAVAILABLE with RetryInfo; an accepted
 * one gets its `Export*ServiceResponse`, with a partial success when some spans were rejected.
 * A call that was in flight when the receiver began to close is still answered like this (the
 * drain); new calls are refused by HTTP/2 itself (GOAWAY), which clients retry elsewhere or later.
 */
import type { Metadata, ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import { diag } from '@opentelemetry/api';
import type { Admission } from '../admission.ts';
import type { ExportCore } from '../export-core.ts';
import { exportResponse, type OtlpSignal } from '../otlp-responses.ts';
import type { ReceiverCounters } from '../receiver-counters.ts';
import type { SenderAuth } from '../sender-auth.ts';
import type { RefusalReason } from '../types.ts';
import { statusDetails } from './grpc-status.ts';

/** gRPC status codes (google/rpc/code.proto) the receiver answers with. */
const GRPC_CODES = {
  INVALID_ARGUMENT: 3,
  RESOURCE_EXHAUSTED: 8,
  PERMISSION_DENIED: 7,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** What {@link exportCall} works with: the pieces the HTTP receiver shares. */
export interface GrpcExportOptions {
  readonly core: ExportCore;
  readonly admission: Admission;
  readonly auth: SenderAuth;
  readonly counters: ReceiverCounters;
  /** Largest message after decompression, bytes (grpc-js enforces it too). */
  readonly maxBodyBytes: number;
  /** Sent as RetryInfo with retryable refusals, ms. */
  readonly retryAfterMs: number;
  /** Builds grpc-js `Metadata` (the module is loaded lazily, so it is passed in). */
  readonly newMetadata: () => Metadata;
}

/** A refusal: its gRPC code, message, counted reason and whether it carries RetryInfo. */
interface GrpcRefusal {
  readonly code: number;
  readonly message: string;
  readonly reason: RefusalReason;
  readonly retry: boolean;
}

const REFUSALS = {
  memory: {
    code: GRPC_CODES.UNAVAILABLE,
    retry: true,
    message: 'the collector is low on memory: retry later',
  },
  queue_full: {
    code: GRPC_CODES.RESOURCE_EXHAUSTED,
    retry: true,
    message: 'too many request bytes in flight: retry later',
  },
} as const;

const CORE_CODES = {
  bad_request: { code: GRPC_CODES.INVALID_ARGUMENT, retry: false },
  forbidden: { code: GRPC_CODES.PERMISSION_DENIED, retry: false },
  storage: { code: GRPC_CODES.UNAVAILABLE, retry: true },
} as const;

/** The grpc-js handler of `Export` for one signal; never throws (a failure is answered INTERNAL). */
export function exportCall(signal: OtlpSignal, options: GrpcExportOptions) {
  return (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void => {
    options.counters.request('grpc');
    try {
      answer(signal, options, call, callback);
    } catch (error) {
      diag.error('headroom: the OTLP/gRPC receiver failed on a call', error);
      callback({ code: GRPC_CODES.INTERNAL, details: 'internal error: see the collector log' });
    }
  };
}

function answer(
  signal: OtlpSignal,
  options: GrpcExportOptions,
  call: ServerUnaryCall<Buffer, Buffer>,
  callback: sendUnaryData<Buffer>,
): void {
  const refuse = (refusal: GrpcRefusal): void => callback(toError(options, refusal));
  const [authorization] = call.metadata.get('authorization');
  const authenticated = options.auth.authenticate(
    typeof authorization === 'string' ? authorization : undefined,
  );
  if (!authenticated.ok) {
    const { message } = authenticated;
    refuse({ code: GRPC_CODES.UNAUTHENTICATED, message, reason: 'unauthorized', retry: false });
    return;
  }
  const body = call.request;
  if (body.length > options.maxBodyBytes) {
    const message = `the message is larger than the limit of ${options.maxBodyBytes} bytes`;
    refuse({ code: GRPC_CODES.RESOURCE_EXHAUSTED, message, reason: 'too_large', retry: false });
    return;
  }
  const admitted = options.admission.admit(body.length);
  if ('refused' in admitted) {
    refuse({ ...REFUSALS[admitted.refused], reason: admitted.refused });
    return;
  }
  const { ticket } = admitted;
  try {
    ticket.hold(body.length);
    const outcome = options.core.export(signal, 'protobuf', body, authenticated.sender);
    if (outcome.accepted) {
      callback(null, exportResponse('protobuf', signal, outcome.rejected, outcome.message));
      return;
    }
    refuse({ ...CORE_CODES[outcome.reason], message: outcome.message, reason: outcome.reason });
  } finally {
    ticket.release();
  }
}

/** A grpc-js status error, with `grpc-status-details-bin` (RetryInfo when retryable). */
function toError(options: GrpcExportOptions, refusal: GrpcRefusal) {
  options.counters.refuse(refusal.reason, 'grpc');
  const metadata = options.newMetadata();
  const delayMs = refusal.retry ? options.retryAfterMs : undefined;
  metadata.set('grpc-status-details-bin', statusDetails(refusal.code, refusal.message, delayMs));
  return { code: refusal.code, details: refusal.message, metadata };
}
