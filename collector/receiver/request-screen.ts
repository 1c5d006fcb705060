/**
 * What the receiver decides from a request's line and headers alone, before reading its body: the
 * endpoint (404), the method (405), the encoding and compression (415), shutdown (503) and a
 * declared length over the limit (413). Overload is decided next, by `Admission`.
 */
import type { IncomingMessage } from 'node:http';
import { ACCEPTED_CODINGS, type Compression, compressionOf, maxCompressedBytes } from './content-coding.ts';
import type { OtlpEncoding, RefusalReason } from './types.ts';

/** The OTLP/HTTP endpoints the receiver serves. */
export type OtlpRoute = 'traces' | 'metrics';

/** A request that may be read. */
export interface AcceptedRequest {
  readonly route: OtlpRoute;
  readonly encoding: OtlpEncoding;
  readonly compression: Compression;
}

/** A refused request: what to answer (a `google.rpc.Status` with `message`) and what to count. */
export interface Refusal {
  readonly status: number;
  /** Encoding of the answer: the request's, or JSON when the request's is not an OTLP one. */
  readonly encoding: OtlpEncoding;
  readonly message: string;
  /** Counted under this reason; 404 and 405 are not counted. */
  readonly reason: RefusalReason | undefined;
  readonly headers: Readonly<Record<string, string>>;
}

/** Refused before the body was read: the connection is closed rather than drained. */
export const CLOSE = Object.freeze({ connection: 'close' });

const ROUTES: ReadonlyMap<string, OtlpRoute> = new Map([
  ['/v1/traces', 'traces'],
  ['/v1/metrics', 'metrics'],
]);

/**
 * Screens a request on its headers.
 * @param maxBodyBytes largest body after decompression, bytes
 * @param closing whether the receiver is shutting down
 */
export function screenRequest(
  request: IncomingMessage,
  maxBodyBytes: number,
  closing: boolean,
): AcceptedRequest | { readonly refusal: Refusal } {
  const path = pathOf(request.url);
  const route = ROUTES.get(path);
  const encoding = encodingOf(request.headers['content-type']);
  const refuse = (
    status: number,
    reason: RefusalReason | undefined,
    message: string,
    headers: Readonly<Record<string, string>> = CLOSE,
  ) => ({
    refusal: { status, encoding: encoding ?? 'json', message, reason, headers },
  });
  if (route === undefined)
    return refuse(404, undefined, `no OTLP endpoint at ${path}: use /v1/traces or /v1/metrics`);
  if (request.method !== 'POST') {
    const message = `method ${request.method} is not allowed on ${path}: use POST`;
    return refuse(405, undefined, message, { ...CLOSE, allow: 'POST' });
  }
  const contentType = request.headers['content-type'] ?? '(none)';
  if (encoding === undefined) {
    const message = `unsupported content type ${contentType}: use application/x-protobuf or application/json`;
    return refuse(415, 'unsupported_media_type', message);
  }
  const compression = compressionOf(request.headers['content-encoding']);
  if (compression === undefined) {
    const message = `unsupported content encoding ${request.headers['content-encoding']}: use ${ACCEPTED_CODINGS}`;
    return refuse(415, 'unsupported_media_type', message);
  }
  if (closing) return refuse(503, 'closing', 'the receiver is shutting down: retry later');
  const declaredBytes = Number(request.headers['content-length'] ?? 0);
  if (declaredBytes > (compression === 'none' ? maxBodyBytes : maxCompressedBytes(maxBodyBytes))) {
    return refuse(413, 'too_large', `request body exceeds ${maxBodyBytes} bytes`);
  }
  return { route, encoding, compression };
}

/** The path of a request target, without its query string. */
function pathOf(url: string | undefined): string {
  const target = url ?? '/';
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}

/**
 * The encoding named by a `Content-Type` (media type case-insensitive, parameters such as
 * `charset` ignored), or `undefined` when it is neither OTLP encoding.
 */
export function encodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  if (contentType === undefined) return undefined;
  const semicolon = contentType.indexOf(';');
  const mediaType = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  if (mediaType === 'application/x-protobuf') return 'protobuf';
  if (mediaType === 'application/json') return 'json';
  return undefined;
}
