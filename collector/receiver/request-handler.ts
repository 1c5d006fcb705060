/**
 * One OTLP/HTTP request, from headers to reply: screened on its headers (404, 405, 415, 503, 413),
 * its sender authenticated when `receiver.tokens` are set (401), admitted or refused for overload
 * (429, 503) before any body byte is read, its body read under the size limit (413), the admission
 * budget (429) and its deadlines (408), decoded (400), checked against its sender's namespace
 * (403), the body passed on (503 when it cannot be kept), then its spans fed to the agent (200,
 * with a partial success when some are rejected) or its metric data points counted.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { diag } from '@opentelemetry/api';
import type { Clock } from '../../agent/index.ts';
import type { Admission, OverloadReason } from './admission.ts';
import type { BodyDeadlineOptions } from './body-deadline.ts';
import { type BodyProblem, maxCompressedBytes, readBody } from './body-reader.ts';
import { DISCARD_MAX_MS, DISCARD_WIRE_BODIES, discardRest } from './discard-rest.ts';
import { decodeTracesJson } from './json-trace-decoder.ts';
import { countDataPointsJson, countDataPointsProtobuf } from './metrics-decoder.ts';
import { CONTENT_TYPES, exportResponse, grpcCodeOf, statusResponse } from './otlp-responses.ts';
import type { ReceiverCounters } from './receiver-counters.ts';
import { type AcceptedRequest, CLOSE, type Refusal, screenRequest } from './request-screen.ts';
import { bindTraces, checkMetricNamespaces, type Sender, type SenderAuth } from './sender-auth.ts';
import type { SpanIngest } from './span-ingest.ts';
import type { DecodeResult, OtlpEncoding } from './types.ts';
import { decodeTracesWire } from './wire-trace-decoder.ts';

/**
 * Gets a request body that decoded, decompressed, with its `Content-Type` (e.g. to forward it) and
 * the number of items it holds (spans, or metric data points), counted while decoding. It returns
 * `'unavailable'` when it cannot keep the body (a forwarding queue on disk that cannot be written):
 * the request is then refused with 503 and `Retry-After`, and nothing of it is recorded.
 */
export type OtlpPassThrough = (
  body: Buffer,
  contentType: string,
  items: number,
) => 'unavailable' | undefined | Promise<void> | void;

/** What a {@link RequestHandler} works with. */
export interface RequestHandlerOptions {
  readonly ingest: SpanIngest;
  readonly admission: Admission;
  readonly counters: ReceiverCounters;
  /** Checks `Authorization` against `receiver.tokens`; lets everything through when there are none. */
  readonly auth: SenderAuth;
  /** Largest body after decompression, bytes. */
  readonly maxBodyBytes: number;
  /** Sent as `Retry-After` with 429 and 503, ms (rounded up to whole seconds, at least 1). */
  readonly retryAfterMs: number;
  /** Total time and minimum rate of each body (408 when missed). */
  readonly bodyDeadline: Omit<BodyDeadlineOptions, 'clock'>;
  /** Times the bodies and the throwing away of refused ones (the agent's clock). */
  readonly clock: Clock;
  readonly onTraces?: OtlpPassThrough | undefined;
  readonly onMetrics?: OtlpPassThrough | undefined;
}

const OVERLOAD: Readonly<Record<OverloadReason, { status: number; message: string }>> = {
  memory: { status: 503, message: 'the collector is low on memory: retry later' },
  queue_full: { status: 429, message: 'too many request bytes in flight: retry later' },
};

/** How a body that was not read to the end is answered (`aborted` is not: the client is gone). */
const BODY_REFUSALS: Readonly<
  Record<Exclude<BodyProblem, 'aborted'>, { status: number; reason: Refusal['reason'] }>
> = {
  too_large: { status: 413, reason: 'too_large' },
  bad_gzip: { status: 400, reason: 'bad_request' },
  timeout: { status: 408, reason: 'timeout' },
  over_budget: { status: 429, reason: 'queue_full' },
};

const INTERNAL_ERROR: Refusal = {
  status: 500,
  encoding: 'json',
  message: 'internal error: see the collector log',
  reason: undefined,
  headers: CLOSE,
};

export class RequestHandler {
  readonly #options: RequestHandlerOptions;
  readonly #retryAfter: string;
  /** Set when the receiver closes: new requests get 503. */
  closing = false;

  constructor(options: RequestHandlerOptions) {
    this.#options = options;
    this.#retryAfter = String(Math.max(1, Math.ceil(options.retryAfterMs / 1000)));
  }

  /** Answers one request; never throws (an unexpected failure is logged and answered 500). */
  handle(request: IncomingMessage, response: ServerResponse, expectsContinue = false): void {
    this.#options.counters.requests++;
    this.#handle(request, response, expectsContinue).catch((error: unknown) => {
      diag.error('headroom: the OTLP receiver failed on a request', error);
      if (response.headersSent) response.destroy();
      else this.#refuse(response, INTERNAL_ERROR);
    });
  }

  async #handle(request: IncomingMessage, response: ServerResponse, expectsContinue: boolean): Promise<void> {
    const screened = screenRequest(request, this.#options.maxBodyBytes, this.closing);
    if ('refusal' in screened) return this.#refuse(response, screened.refusal);
    const authenticated = this.#options.auth.authenticate(request.headers.authorization);
    if (!authenticated.ok) {
      const { message, challenge } = authenticated;
      const headers = { ...CLOSE, 'www-authenticate': challenge };
      const refusal = { status: 401, encoding: screened.encoding, message, reason: 'unauthorized', headers };
      return this.#refuse(response, refusal as Refusal);
    }
    const admitted = this.#options.admission.admit(declaredLength(request));
    if ('refused' in admitted)
      return this.#refuse(response, this.#overload(admitted.refused, screened.encoding));
    const { ticket } = admitted;
    response.once('close', ticket.release);
    if (expectsContinue) response.writeContinue();
    const body = await readBody(request, {
      maxBodyBytes: this.#options.maxBodyBytes,
      gzip: screened.gzip,
      deadline: { ...this.#options.bodyDeadline, clock: this.#options.clock },
      hold: ticket.hold,
    });
    if (body.ok) return this.#process(response, screened, body.body, authenticated.sender);
    if (body.problem === 'aborted') return void response.destroy();
    const { status, reason } = BODY_REFUSALS[body.problem];
    // The rest of the body was not read: #refuse throws it away within bounds (a 408 ends the connection).
    const headers = status === 429 ? { ...CLOSE, 'retry-after': this.#retryAfter } : CLOSE;
    this.#refuse(response, { status, encoding: screened.encoding, message: body.reason, reason, headers });
  }

  #process(
    response: ServerResponse,
    request: AcceptedRequest,
    body: Buffer,
    sender: Sender | undefined,
  ): void {
    if (request.route === 'traces') this.#traces(response, request.encoding, body, sender);
    else this.#metrics(response, request.encoding, body, sender);
  }

  #traces(response: ServerResponse, encoding: OtlpEncoding, body: Buffer, sender: Sender | undefined): void {
    const decoded = this.#timed(() =>
      encoding === 'protobuf' ? decodeTracesWire(body) : decodeTracesJson(body),
    );
    if (!decoded.ok) {
      this.#badRequest(response, encoding, decoded.reason);
      return;
    }
    const bound = bindTraces(decoded.value, sender);
    if (!bound.ok) {
      this.#forbidden(response, encoding, bound.message);
      return;
    }
    if (this.#passThrough(this.#options.onTraces, body, encoding, decoded.value.spanCount)) {
      this.#unavailable(response, encoding);
      return;
    }
    const outcome = this.#options.ingest.ingest(bound.value);
    this.#options.counters.spansReceived += decoded.value.spanCount;
    this.#options.counters.spansRejected += outcome.rejected;
    this.#options.counters.spansRetimed += outcome.retimed;
    for (const [reason, count] of Object.entries(outcome.rejectedBy))
      this.#options.counters.spansRejectedBy[reason as keyof typeof outcome.rejectedBy] += count;
    const reply = exportResponse(encoding, 'traces', outcome.rejected, outcome.message);
    send(response, 200, encoding, reply, this.#closeIfClosing({}));
  }

  #metrics(response: ServerResponse, encoding: OtlpEncoding, body: Buffer, sender: Sender | undefined): void {
    // Namespaces are read only when a bound sender must be checked.
    const namespaces = sender?.namespace === undefined ? undefined : [];
    const decoded = this.#timed(() =>
      encoding === 'protobuf'
        ? countDataPointsProtobuf(body, namespaces)
        : countDataPointsJson(body, namespaces),
    );
    if (!decoded.ok) {
      this.#badRequest(response, encoding, decoded.reason);
      return;
    }
    const bound = checkMetricNamespaces(namespaces ?? [], sender);
    if (!bound.ok) {
      this.#forbidden(response, encoding, bound.message);
      return;
    }
    if (this.#passThrough(this.#options.onMetrics, body, encoding, decoded.value)) {
      this.#unavailable(response, encoding);
      return;
    }
    this.#options.counters.dataPointsReceived += decoded.value;
    send(response, 200, encoding, exportResponse(encoding, 'metrics', 0, ''), this.#closeIfClosing({}));
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

  /** A request that decoded but cannot be kept (the queue on disk cannot be written): retry later. */
  #unavailable(response: ServerResponse, encoding: OtlpEncoding): void {
    const message = 'the collector cannot store the request now: retry later';
    // 503 gets Retry-After in #refuse; the body was read whole: the connection stays open.
    this.#refuse(response, { status: 503, encoding, message, reason: 'storage', headers: {} });
  }

  #overload(reason: OverloadReason, encoding: OtlpEncoding): Refusal {
    const { status, message } = OVERLOAD[reason];
    return { status, encoding, message, reason, headers: { ...CLOSE, 'retry-after': this.#retryAfter } };
  }

  /** A request with data outside its sender's namespace: nothing of it is recorded or forwarded. */
  #forbidden(response: ServerResponse, encoding: OtlpEncoding, message: string): void {
    // The body was read whole: the connection stays open.
    this.#refuse(response, { status: 403, encoding, message, reason: 'forbidden', headers: {} });
  }

  #badRequest(response: ServerResponse, encoding: OtlpEncoding, message: string): void {
    // The body was read whole: the connection stays open.
    this.#refuse(response, { status: 400, encoding, message, reason: 'bad_request', headers: {} });
  }

  #refuse(response: ServerResponse, refusal: Refusal): void {
    if (refusal.reason !== undefined) this.#options.counters.refused[refusal.reason]++;
    const headers =
      refusal.status === 503 ? { ...refusal.headers, 'retry-after': this.#retryAfter } : refusal.headers;
    const body = statusResponse(refusal.encoding, grpcCodeOf(refusal.status), refusal.message);
    // A sender that missed its body deadline is waited for no longer: the answer ends the connection.
    if (refusal.status === 408) {
      send(response, 408, refusal.encoding, body, { ...headers, ...CLOSE });
      return;
    }
    // No `Connection: close` for a refusal (unless the receiver is closing): Node would cut the
    // connection under a client still sending its body, which could lose this answer; the rest of
    // the body is thrown away instead, within bounds.
    const { connection: _close, ...kept } = headers;
    send(response, refusal.status, refusal.encoding, body, this.#closeIfClosing(kept));
    discardRest(response.req, {
      maxBytes: DISCARD_WIRE_BODIES * maxCompressedBytes(this.#options.maxBodyBytes),
      maxMs: DISCARD_MAX_MS,
      clock: this.#options.clock,
    });
  }

  /** While closing, every reply ends its connection, so keep-alive clients stop reusing it. */
  #closeIfClosing(headers: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
    return this.closing ? { ...headers, ...CLOSE } : headers;
  }
}

/** The `Content-Length` of a request, 0 when absent or not a number. */
function declaredLength(request: IncomingMessage): number {
  const length = Number(request.headers['content-length'] ?? 0);
  return Number.isFinite(length) && length > 0 ? length : 0;
}

function send(
  response: ServerResponse,
  status: number,
  encoding: OtlpEncoding,
  body: Buffer,
  headers: Readonly<Record<string, string>>,
): void {
  response.writeHead(status, {
    ...headers,
    'content-type': CONTENT_TYPES[encoding],
    'content-length': body.length,
  });
  response.end(body);
}
