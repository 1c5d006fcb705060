/**
 * One OTLP/gRPC `Export` call (TraceService or MetricsService) once the gate (grpc-gate.ts) has
 * authenticated and admitted it and grpc-js has its whole message (gzip inflated, the size limit
 * enforced): the raw message bytes go to the same export core as OTLP/HTTP: a bad message is
 * INVALID_ARGUMENT, data outside the sender's namespace PERMISSION_DENIED, a message that cannot be
 * kept UNAVAILABLE with RetryInfo; an accepted one gets its `Export*ServiceResponse`, with a partial
 * success when some spans were rejected. A call that was in flight when the receiver began to close
 * is still answered like this (the drain); new calls are refused by HTTP/2 itself (GOAWAY), which
 * clients retry elsewhere or later.
 */
import type { ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import { diag } from '@opentelemetry/api';
import type { ExportCore } from '../export-core.ts';
import { exportResponse, type OtlpSignal } from '../otlp-responses.ts';
import type { CallGate } from './grpc-gate.ts';
import { GRPC_CODES, type GrpcRefusal, type StatusError } from './grpc-refusals.ts';

/** What {@link exportCall} works with. */
export interface GrpcExportOptions {
  readonly core: ExportCore;
  /** The gate the call passed (its sender and admission ticket). */
  readonly gate: CallGate;
  /** Builds a counted status error (RetryInfo when retryable). */
  readonly toError: (refusal: GrpcRefusal) => StatusError;
}

const CORE_CODES = {
  bad_request: { code: GRPC_CODES.INVALID_ARGUMENT, retry: false },
  forbidden: { code: GRPC_CODES.PERMISSION_DENIED, retry: false },
  storage: { code: GRPC_CODES.UNAVAILABLE, retry: true },
} as const;

/** The grpc-js handler of `Export` for one signal; never throws (a failure is answered INTERNAL). */
export function exportCall(signal: OtlpSignal, options: GrpcExportOptions) {
  return (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void => {
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
  const admitted = options.gate.admitted(call.metadata);
  if (admitted === undefined) {
    // Every call passes the gate first; never let one through unauthenticated.
    callback({ code: GRPC_CODES.INTERNAL, details: 'internal error: the call was not admitted' });
    return;
  }
  const outcome = options.core.export(signal, 'protobuf', call.request, admitted.sender);
  if (outcome.accepted) {
    callback(null, exportResponse('protobuf', signal, outcome.rejected, outcome.message));
    return;
  }
  callback(
    options.toError({ ...CORE_CODES[outcome.reason], message: outcome.message, reason: outcome.reason }),
  );
}
