/**
 * The transport-neutral part of one OTLP export: a whole, decompressed message is decoded (bad
 * message), checked against its sender's namespace (forbidden), handed on (unavailable when it
 * cannot be kept), then its spans fed to the agent (with a partial success when some are rejected)
 * or its metric data points counted. OTLP/HTTP (RequestHandler) and OTLP/gRPC both call it, so
 * both transports share one decode path and one set of semantics; each maps the outcome to its own
 * answer (HTTP status, gRPC code).
 */
import { diag } from '@opentelemetry/api';
import { decodeTracesJson } from './json-trace-decoder.ts';
import { countDataPointsJson, countDataPointsProtobuf } from './metrics-decoder.ts';
import { CONTENT_TYPES, type OtlpSignal } from './otlp-responses.ts';
import type { ReceiverCounters } from './receiver-counters.ts';
import { bindTraces, checkMetricNamespaces, type Sender } from './sender-auth.ts';
import type { SpanIngest } from './span-ingest.ts';
import type { DecodeResult, OtlpEncoding } from './types.ts';
import { decodeTracesWire } from './wire-trace-decoder.ts';

/**
 * Gets a request body that decoded, decompressed, with its `Content-Type` (e.g. to forward it) and
 * the number of items it holds (spans, or metric data points), counted while decoding. It returns
 * `'unavailable'` when it cannot keep the body (a forwarding queue on disk that cannot be written):
 * the request is then refused as retryable, and nothing of it is recorded.
 */
export type OtlpPassThrough = (
  body: Buffer,
  contentType: string,
  items: number,
) => 'unavailable' | undefined | Promise<void> | void;

/** What an {@link ExportCore} works with. */
export interface ExportCoreOptions {
  readonly ingest: SpanIngest;
  readonly counters: ReceiverCounters;
  readonly onTraces?: OtlpPassThrough | undefined;
  readonly onMetrics?: OtlpPassThrough | undefined;
}

/**
 * How one export ended: accepted (`rejected` items of it, with `message`, for a partial success),
 * or refused: `bad_request` (did not decode), `forbidden` (data outside the sender's namespace),
 * `storage` (decoded but cannot be kept now: retryable). A refused export recorded nothing.
 */
export type ExportOutcome =
  | { readonly accepted: true; readonly rejected: number; readonly message: string }
  | {
      readonly accepted: false;
      readonly reason: 'bad_request' | 'forbidden' | 'storage';
      readonly message: string;
    };

const STORAGE_MESSAGE = 'the collector cannot store the request now: retry later';

export class ExportCore {
  readonly #options: ExportCoreOptions;

  constructor(options: ExportCoreOptions) {
    this.#options = options;
  }

  /** Processes one whole, decompressed export message of `signal`; never throws for bad input. */
  export(
    signal: OtlpSignal,
    encoding: OtlpEncoding,
    body: Buffer,
    sender: Sender | undefined,
  ): ExportOutcome {
    return signal === 'traces' ? this.#traces(encoding, body, sender) : this.#metrics(encoding, body, sender);
  }

  #traces(encoding: OtlpEncoding, body: Buffer, sender: Sender | undefined): ExportOutcome {
    const decoded = this.#timed(() =>
      encoding === 'protobuf' ? decodeTracesWire(body) : decodeTracesJson(body),
    );
    if (!decoded.ok) return { accepted: false, reason: 'bad_request', message: decoded.reason };
    const bound = bindTraces(decoded.value, sender);
    if (!bound.ok) return { accepted: false, reason: 'forbidden', message: bound.message };
    if (this.#passThrough(this.#options.onTraces, body, encoding, decoded.value.spanCount))
      return { accepted: false, reason: 'storage', message: STORAGE_MESSAGE };
    const { counters } = this.#options;
    const outcome = this.#options.ingest.ingest(bound.value);
    counters.spansReceived += decoded.value.spanCount;
    counters.spansRejected += outcome.rejected;
    counters.spansRetimed += outcome.retimed;
    for (const [reason, count] of Object.entries(outcome.rejectedBy))
      counters.spansRejectedBy[reason as keyof typeof outcome.rejectedBy] += count;
    return { accepted: true, rejected: outcome.rejected, message: outcome.message };
  }

  #metrics(encoding: OtlpEncoding, body: Buffer, sender: Sender | undefined): ExportOutcome {
    // Namespaces are read only when a bound sender must be checked.
    const namespaces = sender?.namespace === undefined ? undefined : [];
    const decoded = this.#timed(() =>
      encoding === 'protobuf'
        ? countDataPointsProtobuf(body, namespaces)
        : countDataPointsJson(body, namespaces),
    );
    if (!decoded.ok) return { accepted: false, reason: 'bad_request', message: decoded.reason };
    const bound = checkMetricNamespaces(namespaces ?? [], sender);
    if (!bound.ok) return { accepted: false, reason: 'forbidden', message: bound.message };
    if (this.#passThrough(this.#options.onMetrics, body, encoding, decoded.value))
      return { accepted: false, reason: 'storage', message: STORAGE_MESSAGE };
    this.#options.counters.dataPointsReceived += decoded.value;
    return { accepted: true, rejected: 0, message: '' };
  }

  #timed<T>(decode: () => DecodeResult<T>): DecodeResult<T> {
    const startedMs = performance.now();
    const result = decode();
    this.#options.counters.decodeMs += performance.now() - startedMs;
    return result;
  }

  /**
   * Hands the body on; a failing callback is logged, never turned into a failed request.
   * @returns true when the callback could not keep the body (the request must be refused)
   */
  #passThrough(
    callback: OtlpPassThrough | undefined,
    body: Buffer,
    encoding: OtlpEncoding,
    items: number,
  ): boolean {
    if (callback === undefined) return false;
    const logFailure = (error: unknown): void =>
      diag.error('headroom: an OTLP pass-through callback failed', error);
    try {
      const outcome = callback(body, CONTENT_TYPES[encoding], items);
      if (outcome instanceof Promise) outcome.catch(logFailure);
      return outcome === 'unavailable';
    } catch (error) {
      logFailure(error);
      return false;
    }
  }
}
