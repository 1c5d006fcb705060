/**
 * The contract of the OTLP/HTTP receiver: the compact form OTLP trace requests are decoded into
 * (only what classification and recording need), decode outcomes, and the receiver's counters.
 */
import type { Attributes, SpanKind } from '@opentelemetry/api';
import type { ClockSkew } from './clock-skew.ts';
import type { SpanRejectionReason } from './span-rejections.ts';

/**
 * One span as the receiver keeps it. Times are ms since the epoch, converted from OTLP's unix
 * nanoseconds by `unixNanosToMs` (wire-reader.ts): whole milliseconds stay exact, otherwise a
 * double near 1.7e12 ms is exact to about 0.25 µs, so precision below a microsecond is lost
 * (irrelevant for budgets in ms).
 */
export interface DecodedSpan {
  readonly name: string;
  /** The API's kind (INTERNAL = 0); OTLP's UNSPECIFIED and out-of-range values map to INTERNAL. */
  readonly kind: SpanKind;
  /** Start time, ms since the epoch; 0 when the span has none. */
  readonly startTimeMs: number;
  /** End time, ms since the epoch; 0 when the span has none. */
  readonly endTimeMs: number;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  readonly statusCode: number;
  /** String, integer, double and boolean attributes; arrays, maps and bytes are left out. */
  readonly attributes: Attributes;
  /** Whether the trace id has 16 bytes and the span id 8, neither all zero. */
  readonly idsValid: boolean;
}

/**
 * What every span without a valid trace and span id decodes to: such a span is rejected on its ids
 * alone, and sharing one object keeps a payload of tiny id-less spans from costing an object each.
 */
export const INVALID_SPAN: DecodedSpan = Object.freeze({
  name: '',
  kind: 0,
  startTimeMs: 0,
  endTimeMs: 0,
  statusCode: 0,
  attributes: Object.freeze({}),
  idsValid: false,
});

/** Attributes of a span that has none (shared, frozen). */
export const NO_ATTRIBUTES: Attributes = Object.freeze({});

/** The spans of one instrumentation scope. */
export interface DecodedScopeSpans {
  /** Instrumentation scope name; '' when the request carries none. */
  readonly scopeName: string;
  readonly spans: readonly DecodedSpan[];
}

/** The spans of one resource (one service instance). */
export interface DecodedResourceSpans {
  /** `service.name`; {@link UNKNOWN_SERVICE} when the resource has none. */
  readonly service: string;
  /** `service.namespace`; '' when the resource has none. */
  readonly namespace: string;
  readonly scopes: readonly DecodedScopeSpans[];
}

/** A decoded `ExportTraceServiceRequest`. */
export interface DecodedTraces {
  readonly resources: readonly DecodedResourceSpans[];
  /** Number of spans in the request. */
  readonly spanCount: number;
}

/** `service.name` of a resource that carries none (as the semantic conventions say). */
export const UNKNOWN_SERVICE = 'unknown_service';

/** Outcome of a decoder: the value, or why the payload is malformed (sent back in a 400). */
export type DecodeResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

/** Turns a request body into spans; never throws. */
export type TraceDecoder = (body: Uint8Array) => DecodeResult<DecodedTraces>;

/** The two OTLP/HTTP encodings. */
export type OtlpEncoding = 'protobuf' | 'json';

/** Why the receiver refused a whole request. */
export type RefusalReason =
  | 'unauthorized'
  | 'forbidden'
  | 'too_large'
  | 'unsupported_media_type'
  | 'bad_request'
  | 'queue_full'
  | 'memory'
  | 'storage'
  | 'closing'
  | 'timeout';

/** How a request reached the receiver: OTLP/HTTP or OTLP/gRPC. */
export type ReceiverTransport = 'http' | 'grpc';

/** The request counters of one transport. */
export interface TransportStats {
  /** Requests (gRPC: calls) received, refused ones included. */
  readonly requests: number;
  /** Those refused as a whole, by reason. */
  readonly refused: Readonly<Record<RefusalReason, number>>;
}

/** Counters of the receiver, for the agent's own metrics. All totals are since start. */
export interface ReceiverStats {
  /** Requests received, on any path, refused ones included. */
  readonly requests: number;
  /** Spans in requests that were decoded. */
  readonly spansReceived: number;
  /** Spans refused one by one (partial success); spans of refused requests are not counted. */
  readonly spansRejected: number;
  /** {@link spansRejected} by reason. */
  readonly spansRejectedBy: Readonly<Record<SpanRejectionReason, number>>;
  /** Accepted spans re-timed to arrival because their sender's clock was off by more than a slot. */
  readonly spansRetimed: number;
  /** Estimated clock skew of every service heard from in the last 5 minutes. */
  readonly clockSkews: readonly ClockSkew[];
  /** Metric data points in requests that were decoded. */
  readonly dataPointsReceived: number;
  /** Requests refused as a whole, by reason (404 and 405 are not counted). */
  readonly refused: Readonly<Record<RefusalReason, number>>;
  /** {@link requests} and {@link refused} of each transport. */
  readonly transports: Readonly<Record<ReceiverTransport, TransportStats>>;
  /** Requests admitted and not answered yet. */
  readonly inFlight: number;
  /** Body bytes held by those requests (the admission budget in use), after decompression. */
  readonly bufferedBodyBytes?: number;
  /** Time spent decoding bodies, seconds. */
  readonly decodeSecondsTotal: number;
}
