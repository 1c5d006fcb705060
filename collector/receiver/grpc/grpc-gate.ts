/**
 * The gate of every OTLP/gRPC call, a grpc-js server interceptor that runs on the call's metadata,
 * BEFORE grpc-js buffers its message (grpc-js reads a call's message as soon as the stream opens, up
 * to `maxBodyBytes`, whatever the handler would say): the sender is authenticated from
 * `authorization: Bearer` metadata (UNAUTHENTICATED) and the call admitted or refused for overload
 * (UNAVAILABLE when memory is short, RESOURCE_EXHAUSTED when the budget is full, both with
 * RetryInfo). An admitted call reserves `maxBodyBytes` of the receiver's budget (gRPC declares no
 * message length up front), so all connections together hold at most the budget, and must deliver
 * its whole message within `bodyTimeoutMs` (DEADLINE_EXCEEDED, counted `timeout`). A refusal
 * stops grpc-js reading the stream. The gate counts every call; the reservation is given back when
 * the call is answered, refused by grpc-js itself (too large, bad compression) or cancelled.
 */
import type { Metadata, ServerInterceptingCallInterface, ServerInterceptor } from '@grpc/grpc-js';
import { diag } from '@opentelemetry/api';
import type { Clock, TimerHandle } from '../../../agent/index.ts';
import type { Admission, AdmissionTicket } from '../admission.ts';
import type { ReceiverCounters } from '../receiver-counters.ts';
import type { Sender, SenderAuth } from '../sender-auth.ts';
import { GRPC_CODES, type GrpcRefusal, REFUSALS, type StatusError } from './grpc-refusals.ts';

/** What an admitted call carries to its handler. */
export interface AdmittedCall {
  readonly sender: Sender | undefined;
  readonly ticket: AdmissionTicket;
}

/** Options of {@link callGate}. */
export interface GateOptions {
  readonly admission: Admission;
  readonly auth: SenderAuth;
  readonly counters: ReceiverCounters;
  /** Reserved per admitted call, bytes. */
  readonly maxBodyBytes: number;
  /** The whole message must arrive within this after the metadata, ms. */
  readonly bodyTimeoutMs: number;
  readonly clock: Clock;
  /** Builds a counted status error (RetryInfo when retryable). */
  readonly toError: (refusal: GrpcRefusal) => StatusError;
  /** grpc-js' interceptor classes (the module is loaded lazily, so they are passed in). */
  readonly grpc: Pick<
    typeof import('@grpc/grpc-js'),
    'ServerInterceptingCall' | 'ResponderBuilder' | 'ServerListenerBuilder'
  >;
}

/** A gate and the admitted calls it hands to the handler (by the call's metadata object). */
export interface CallGate {
  readonly interceptor: ServerInterceptor;
  /** The admission of the call whose metadata this is; undefined when the gate did not admit it. */
  admitted(metadata: Metadata): AdmittedCall | undefined;
}

/** Builds the gate; see the module comment. */
export function callGate(options: GateOptions): CallGate {
  const admittedCalls = new WeakMap<Metadata, AdmittedCall>();
  const { grpc } = options;
  const interceptor: ServerInterceptor = (_method, call) => {
    options.counters.request('grpc');
    const state: CallState = {};
    const refuse = (refusal: GrpcRefusal): void => {
      finish(state);
      call.sendStatus(options.toError(refusal));
    };
    const listener = new grpc.ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        const admitted = guarded(state, call, () => admit(options, metadata, refuse));
        if (admitted === undefined) return;
        state.ticket = admitted.ticket;
        admittedCalls.set(metadata, admitted);
        state.timer = options.clock.after(options.bodyTimeoutMs, () => {
          const message = `the message did not arrive within ${options.bodyTimeoutMs} ms`;
          refuse({ code: GRPC_CODES.DEADLINE_EXCEEDED, message, reason: 'timeout', retry: false });
        });
        next(metadata);
      })
      .withOnReceiveHalfClose((next) => {
        // The message has arrived (or grpc-js refuses the call for having none).
        state.timer?.cancel();
        next();
      })
      .withOnCancel(() => finish(state))
      .build();
    const responder = new grpc.ResponderBuilder()
      .withStart((next) => next(listener))
      .withSendStatus((status, next) => {
        finish(state);
        next(status);
      })
      .build();
    return new grpc.ServerInterceptingCall(call, responder);
  };
  return { interceptor, admitted: (metadata) => admittedCalls.get(metadata) };
}

interface CallState {
  ticket?: AdmissionTicket;
  timer?: TimerHandle;
}

/** Runs `step`; a throw is logged and answered INTERNAL (the gate never throws into grpc-js). */
function guarded<T>(state: CallState, call: ServerInterceptingCallInterface, step: () => T): T | undefined {
  try {
    return step();
  } catch (error) {
    diag.error('headroom: the OTLP/gRPC receiver failed on a call', error);
    finish(state);
    call.sendStatus({ code: GRPC_CODES.INTERNAL, details: 'internal error: see the collector log' });
    return undefined;
  }
}

/** Gives back the call's reservation and stops its timer (idempotent). */
function finish(state: CallState): void {
  state.timer?.cancel();
  state.ticket?.release();
}

/** Authenticates and admits a call, reserving `maxBodyBytes`; undefined when it was refused. */
function admit(
  options: GateOptions,
  metadata: Metadata,
  refuse: (refusal: GrpcRefusal) => void,
): AdmittedCall | undefined {
  const [authorization] = metadata.get('authorization');
  const authenticated = options.auth.authenticate(
    typeof authorization === 'string' ? authorization : undefined,
  );
  if (!authenticated.ok) {
    const { message } = authenticated;
    refuse({ code: GRPC_CODES.UNAUTHENTICATED, message, reason: 'unauthorized', retry: false });
    return undefined;
  }
  const admitted = options.admission.admit(options.maxBodyBytes);
  if ('refused' in admitted) {
    refuse({ ...REFUSALS[admitted.refused], reason: admitted.refused });
    return undefined;
  }
  // admit() checked that the budget has room for maxBodyBytes: the hold succeeds.
  admitted.ticket.hold(options.maxBodyBytes);
  return { sender: authenticated.sender, ticket: admitted.ticket };
}
