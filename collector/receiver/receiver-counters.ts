/** The receiver's counters, kept as plain fields on the request path and read as a snapshot. */
import type { ClockSkew } from './clock-skew.ts';
import { SPAN_REJECTIONS, type SpanRejectionReason } from './span-rejections.ts';
import type { ReceiverStats, ReceiverTransport, RefusalReason, TransportStats } from './types.ts';

const noRefusals = (): Record<RefusalReason, number> => ({
  unauthorized: 0,
  forbidden: 0,
  too_large: 0,
  unsupported_media_type: 0,
  bad_request: 0,
  queue_full: 0,
  memory: 0,
  storage: 0,
  closing: 0,
  timeout: 0,
});

export class ReceiverCounters {
  requests = 0;
  spansReceived = 0;
  spansRejected = 0;
  readonly spansRejectedBy = Object.fromEntries(
    Object.keys(SPAN_REJECTIONS).map((reason) => [reason, 0]),
  ) as Record<SpanRejectionReason, number>;
  spansRetimed = 0;
  dataPointsReceived = 0;
  /** Time spent decoding bodies, ms. */
  decodeMs = 0;
  readonly refused: Record<RefusalReason, number> = noRefusals();
  readonly #transports: Record<
    ReceiverTransport,
    { requests: number; refused: Record<RefusalReason, number> }
  > = {
    http: { requests: 0, refused: noRefusals() },
    grpc: { requests: 0, refused: noRefusals() },
  };

  /** Counts a request (an OTLP/HTTP request or an OTLP/gRPC call) received on `transport`. */
  request(transport: ReceiverTransport): void {
    this.requests++;
    this.#transports[transport].requests++;
  }

  /** Counts a request of `transport` refused as a whole for `reason`. */
  refuse(reason: RefusalReason, transport: ReceiverTransport): void {
    this.refused[reason]++;
    this.#transports[transport].refused[reason]++;
  }

  /** A copy of the counters, with the requests in flight and the clock skews now. */
  snapshot(inFlight: number, clockSkews: readonly ClockSkew[]): ReceiverStats {
    return {
      requests: this.requests,
      spansReceived: this.spansReceived,
      spansRejected: this.spansRejected,
      spansRejectedBy: { ...this.spansRejectedBy },
      spansRetimed: this.spansRetimed,
      clockSkews,
      dataPointsReceived: this.dataPointsReceived,
      refused: { ...this.refused },
      transports: {
        http: copyOf(this.#transports.http),
        grpc: copyOf(this.#transports.grpc),
      },
      inFlight,
      decodeSecondsTotal: this.decodeMs / 1000,
    };
  }
}

function copyOf(counts: TransportStats): TransportStats {
  return { requests: counts.requests, refused: { ...counts.refused } };
}
