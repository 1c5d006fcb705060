/**
 * The decision API's answer to a connection that failed before a request reached a route: headers
 * not received within `api.headersTimeout` or the request within `api.requestTimeout` get a 408,
 * oversized headers a 431, malformed HTTP a 400; each in the API's error shape
 * `{ error: { code, message } }`, then the connection is closed (fastify's `clientErrorHandler`).
 */
import type { Socket } from 'node:net';
import { formatMs } from '../../config/index.ts';
import type { ApiErrorBody } from './types.ts';

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/** Builds the `clientErrorHandler` for the API's timeouts (ms, for the message). */
export function clientErrorHandler(limits: {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
}) {
  const timeoutMessage = `request not received in time: headers within ${formatMs(limits.headersTimeoutMs)}, whole request within ${formatMs(limits.requestTimeoutMs)}`;
  return (error: Error & { code?: string }, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) {
      socket.destroy();
      return;
    }
    let status = 400;
    let body: ApiErrorBody = { error: { code: 'bad_request', message: 'malformed HTTP request' } };
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      status = 408;
      body = { error: { code: 'request_timeout', message: timeoutMessage } };
    } else if (error.code === 'HPE_HEADER_OVERFLOW') {
      status = 431;
      body = { error: { code: 'headers_too_large', message: 'request headers too large' } };
    }
    // A response already started on this socket cannot be followed by another.
    const response = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && response?.headersSent !== true) {
      const text = JSON.stringify(body);
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nconnection: close\r\n` +
          `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
      );
    }
    socket.destroy();
  };
}
