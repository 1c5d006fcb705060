/**
 * The gRPC status codes the OTLP/gRPC receiver answers with and its counted refusals: a status
 * error with `grpc-status-details-bin` carrying RetryInfo when the refusal is retryable.
 */
import type { Metadata } from '@grpc/grpc-js';
import type { ReceiverCounters } from '../receiver-counters.ts';
import type { RefusalReason } from '../types.ts';
import { statusDetails } from './grpc-status.ts';

/** gRPC status codes (google/rpc/code.proto) the receiver answers with or reads. */
export const GRPC_CODES = {
  OK: 0,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** A refusal: its gRPC code, message, counted reason and whether it carries RetryInfo. */
export interface GrpcRefusal {
  readonly code: number;
  readonly message: string;
  readonly reason: RefusalReason;
  readonly retry: boolean;
}

/** Overload refusals: memory short (UNAVAILABLE) and budget full (RESOURCE_EXHAUSTED), retryable. */
export const REFUSALS = {
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

/** A grpc-js status error. */
export interface StatusError {
  readonly code: number;
  readonly details: string;
  readonly metadata: Metadata;
}

/**
 * Counts `refusal` (transport grpc) and builds its status error, with a RetryInfo of
 * `retryAfterMs` when it is retryable.
 */
export function refusalError(
  counters: ReceiverCounters,
  newMetadata: () => Metadata,
  retryAfterMs: number,
): (refusal: GrpcRefusal) => StatusError {
  return (refusal) => {
    counters.refuse(refusal.reason, 'grpc');
    const metadata = newMetadata();
    const delayMs = refusal.retry ? retryAfterMs : undefined;
    metadata.set('grpc-status-details-bin', statusDetails(refusal.code, refusal.message, delayMs));
    return { code: refusal.code, details: refusal.message, metadata };
  };
}
