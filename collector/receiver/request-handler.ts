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
import { type BodyProblem, readBody } from './body-reader.ts';
import { maxCompressedBytes } from './content-coding.ts';
import { DISCARD_MAX_MS, DISCARD_WIRE_BODIES, discardRest } from './discard-rest.ts';
import { ExportCore, type ExportOutcome, type OtlpPassThrough } from './export-core.ts';
import { CONTENT_TYPES, exportResponse, grpcCodeOf, statusResponse } from './otlp-responses.ts';
import type { ReceiverCounters } from './receiver-counters.ts';
import { type AcceptedRequest, CLOSE, type Refusal, screenRequest } from './request-screen.ts';
import type { Sender, SenderAuth } from './sender-auth.ts';
import type { SpanIngest } from './span-ingest.ts';
import type { OtlpEncoding } from './types.ts';

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
  bad_compression: { status: 400, reason: 'bad_request' },
  timeout: { status: 408, reason: 'timeout' },
  over_budget: { status: 429, reason: 'queue_full' },
};

/** How a whole body that the export core refused is answered. */
const REFUSED_STATUS: Readonly<Record<Extract<ExportOutcome, { accepted: false }>['reason'], number>> = {
  bad_request: 400,
  forbidden: 403,
  storage: 503,
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
  readonly #core: ExportCore;
  readonly #retryAfter: string;
  /** Set when the receiver closes: new requests get 503. */
  closing = false;

  constructor(options: RequestHandlerOptions) {
    this.#options = options;
    this.#core = new ExportCore(options);
    this.#retryAfter = String(Math.max(1, Math.ceil(options.retryAfterMs / 1000)));
  }

  /** Answers one request; never throws (an unexpected failure is logged and answered 500). */
  handle(request: IncomingMessage, response: ServerResponse, expectsContinue = false): void {
    this.#options.counters.request('http');
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
      compression: screened.compression,
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
    const { encoding, route } = request;
    const outcome = this.#core.export(route, encoding, body, sender);
    if (outcome.accepted) {
      const reply = exportResponse(encoding, route, outcome.rejected, outcome.message);
      send(response, 200, encoding, reply, this.#closeIfClosing({}));
      return;
    }
    // The body was read whole: the connection stays open (503 gets Retry-After in #refuse).
    const { reason, message } = outcome;
    this.#refuse(response, { status: REFUSED_STATUS[reason], encoding, message, reason, headers: {} });
  }

  #overload(reason: OverloadReason, encoding: OtlpEncoding): Refusal {
    const { status, message } = OVERLOAD[reason];
    return { status, encoding, message, reason, headers: { ...CLOSE, 'retry-after': this.#retryAfter } };
  }

  #refuse(response: ServerResponse, refusal: Refusal): void {
    if (refusal.reason !== undefined) this.#options.counters.refuse(refusal.reason, 'http');
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
