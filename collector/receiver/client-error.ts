/**
 * The receiver's answer to a connection that failed before a request could be handled: headers
 * not received within `headersTimeout` (or the whole request past Node's backstop) get a 408,
 * counted as refused for `timeout`; an oversized header block a 431 and malformed HTTP a 400, as
 * Node would answer them. The body is a JSON `google.rpc.Status` (the request's encoding is not
 * known yet) and the connection is closed.
 */
import type { Duplex } from 'node:stream';
import { formatMs } from '../../config/index.ts';
import { grpcCodeOf, statusResponse } from './otlp-responses.ts';
import type { ReceiverCounters } from './receiver-counters.ts';

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/** Answers and closes `socket` after `error` (a `clientError` of the receiver's server). */
export function answerClientError(
  error: Error & { code?: string },
  socket: Duplex,
  counters: ReceiverCounters,
  limits: { readonly headersTimeoutMs: number; readonly bodyTimeoutMs: number },
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) {
    socket.destroy();
    return;
  }
  let status = 400;
  let message = 'malformed HTTP request';
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    counters.refuse('timeout', 'http');
    status = 408;
    message = `request not received in time: headers within ${formatMs(limits.headersTimeoutMs)}, body within ${formatMs(limits.bodyTimeoutMs)}`;
  } else if (error.code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    message = 'request headers too large';
  }
  // A response already started on this socket cannot be followed by another.
  if (socket.writable && !responseStarted(socket)) {
    const body = statusResponse('json', grpcCodeOf(status), message);
    const head =
      `HTTP/1.1 ${status} ${REASONS[status]}\r\nconnection: close\r\n` +
      `content-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`;
    socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  }
  socket.destroy();
}

function responseStarted(socket: Duplex): boolean {
  // Node keeps the response in progress on the socket; its headers may be on the wire already.
  const response = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  return response?.headersSent === true;
}
