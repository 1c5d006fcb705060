/**
 * The one HTTP client of the exporters: one POST, no retries (the delivery queue decides what
 * happens next), over a keep-alive connection. Mirrors the official OTLP exporter's Node
 * transport (gzip, timeout, status classification) without its built-in retry loop, whose fixed
 * limits would override `exporters.otlp.retry`. Redirects are not followed: a redirect is a
 * configuration mistake, and following it could send a signed body elsewhere.
 */
import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { type Clock, systemClock } from '../../agent/index.ts';
import {
  classifyNetworkError,
  classifyReply,
  type HttpResult,
  isRetryableOtlpStatus,
} from './http-response.ts';
import type { Transport } from './types.ts';

const gzipAsync = promisify(gzip);

/** Reply bodies above this are not read (as in the official exporter), bytes. */
const MAX_REPLY_BYTES = 4 * 1024 * 1024;

export interface HttpTransportOptions {
  /** Full URL, e.g. `http://localhost:4318/v1/traces`. */
  readonly url: string;
  /** Extra request headers (authentication, tenant). */
  readonly headers: Readonly<Record<string, string>>;
  /** `application/x-protobuf`, `application/json`. */
  readonly contentType: string;
  /** @default 'none' */
  readonly compression?: 'gzip' | 'none';
  /** Bound of one request, from connecting to the last reply byte, ms. */
  readonly timeoutMs: number;
  /** Statuses worth retrying. @default the OTLP ones (429, 502, 503, 504) */
  readonly retryableStatus?: (status: number) => boolean;
  /**
   * "Now" for a Retry-After date. The timeout bounds real I/O, so it runs on a real (unref'd)
   * timer: advancing a test clock must not cut off a request still on the wire. @default systemClock
   */
  readonly clock?: Clock;
}

/** Posts payloads to one URL; `send` never rejects. */
export class HttpTransport implements Transport {
  readonly #url: URL;
  readonly #options: HttpTransportOptions;
  readonly #clock: Clock;
  readonly #agent: http.Agent;
  readonly #request: typeof http.request;

  constructor(options: HttpTransportOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#url = new URL(options.url);
    const secure = this.#url.protocol === 'https:';
    this.#agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
    this.#request = secure ? https.request : http.request;
  }

  /**
   * Posts `body` with `headers` added; resolves with the classified outcome, or a failure once
   * `signal` aborts. A timeout is retryable.
   */
  async send(
    body: Uint8Array | string,
    signal: AbortSignal,
    headers: Record<string, string> = {},
  ): Promise<HttpResult> {
    try {
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      const payload = this.#options.compression === 'gzip' ? await gzipAsync(bytes) : bytes;
      // Our own requests must not be traced (http instrumentation would feed them back).
      return await context.with(suppressTracing(context.active()), () =>
        this.#post(payload, headers, signal),
      );
    } catch (error) {
      return { status: 'failure', error: error instanceof Error ? error : new Error(String(error)) };
    }
  }

  /** Closes idle keep-alive connections. */
  shutdown(): void {
    this.#agent.destroy();
  }

  #post(payload: Uint8Array, extra: Record<string, string>, signal: AbortSignal): Promise<HttpResult> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve({ status: 'failure', error: new Error('request aborted') });
      let settled = false;
      const finish = (result: HttpResult): void => {
        if (settled) return;
        settled = true;
        timer.cancel();
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      };
      const request = this.#request(this.#url, {
        method: 'POST',
        agent: this.#agent,
        headers: this.#headers(payload.byteLength, extra),
      });
      const onAbort = (): void => {
        finish({ status: 'failure', error: new Error('request aborted') });
        request.destroy();
      };
      const timeoutMs = this.#options.timeoutMs;
      // The real clock (unref'd, and correct past Node's timer limit), not the injected one.
      const timer = systemClock.after(timeoutMs, () => {
        finish({ status: 'retryable', error: new Error(`request timed out after ${timeoutMs} ms`) });
        request.destroy();
      });
      signal.addEventListener('abort', onAbort, { once: true });
      request.on('error', (error) => finish(classifyNetworkError(error)));
      request.on('response', (reply) => this.#read(reply, finish));
      request.end(payload);
    });
  }

  #headers(length: number, extra: Record<string, string>): Record<string, string> {
    const headers: Record<string, string> = {
      'User-Agent': 'headroom-otel',
      ...this.#options.headers,
      ...extra,
      'Content-Type': this.#options.contentType,
      'Content-Length': String(length),
    };
    if (this.#options.compression === 'gzip') headers['Content-Encoding'] = 'gzip';
    return headers;
  }

  #read(reply: http.IncomingMessage, finish: (result: HttpResult) => void): void {
    const chunks: Buffer[] = [];
    let size = 0;
    reply.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REPLY_BYTES) chunks.push(chunk);
    });
    reply.on('error', (error) => finish(classifyNetworkError(error)));
    reply.on('end', () => {
      const { statusCode = 0, statusMessage } = reply;
      const retryAfter = reply.headers['retry-after'];
      const body = Buffer.concat(chunks);
      const classified = classifyReply(
        { status: statusCode, statusMessage, retryAfter, body },
        this.#clock.now(),
        this.#options.retryableStatus ?? isRetryableOtlpStatus,
      );
      finish(classified);
    });
  }
}
