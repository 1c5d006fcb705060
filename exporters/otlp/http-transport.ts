/**
 * One OTLP/HTTP POST, no retries: the resilient processor decides what happens next. Mirrors the
 * official exporter's Node transport (gzip, timeout, status classification) without its built-in
 * retry loop, whose fixed limits would override `exporters.otlp.retry`.
 */
import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { ExportResponse } from '@opentelemetry/otlp-exporter-base';
import { classifyNetworkError, classifyReply } from './http-response.ts';

const gzipAsync = promisify(gzip);

/** Reply bodies above this are not read (as in the official exporter), bytes. */
const MAX_REPLY_BYTES = 4 * 1024 * 1024;

export interface OtlpHttpTransportOptions {
  /** Full URL of the signal, e.g. `http://localhost:4318/v1/traces`. */
  readonly url: string;
  /** Extra request headers (authentication, tenant). */
  readonly headers: Readonly<Record<string, string>>;
  /** `application/x-protobuf` or `application/json`. */
  readonly contentType: string;
  readonly compression: 'gzip' | 'none';
  /** Bound of one request, from connecting to the last reply byte, ms. */
  readonly timeoutMs: number;
}

/** Posts OTLP payloads over a keep-alive connection; `send` never rejects. */
export class OtlpHttpTransport {
  readonly #url: URL;
  readonly #options: OtlpHttpTransportOptions;
  readonly #agent: http.Agent;
  readonly #request: typeof http.request;

  constructor(options: OtlpHttpTransportOptions) {
    this.#options = options;
    this.#url = new URL(options.url);
    const secure = this.#url.protocol === 'https:';
    this.#agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
    this.#request = secure ? https.request : http.request;
  }

  /** Posts `body`; resolves with the classified outcome, or a failure once `signal` aborts. */
  async send(body: Uint8Array, signal: AbortSignal): Promise<ExportResponse> {
    try {
      const payload = this.#options.compression === 'gzip' ? await gzipAsync(body) : body;
      // Our own export requests must not be traced (http instrumentation would feed them back).
      return await context.with(suppressTracing(context.active()), () => this.#post(payload, signal));
    } catch (error) {
      return { status: 'failure', error: error instanceof Error ? error : new Error(String(error)) };
    }
  }

  /** Closes idle keep-alive connections. */
  shutdown(): void {
    this.#agent.destroy();
  }

  #post(payload: Uint8Array, signal: AbortSignal): Promise<ExportResponse> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve({ status: 'failure', error: new Error('OTLP export aborted') });
      let settled = false;
      const finish = (response: ExportResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(response);
      };
      const request = this.#request(this.#url, {
        method: 'POST',
        agent: this.#agent,
        headers: this.#headers(payload.byteLength),
      });
      const onAbort = (): void => {
        finish({ status: 'failure', error: new Error('OTLP export aborted') });
        request.destroy();
      };
      const timer = setTimeout(() => {
        finish({
          status: 'retryable',
          error: new Error(`OTLP export timed out after ${this.#options.timeoutMs} ms`),
        });
        request.destroy();
      }, this.#options.timeoutMs);
      timer.unref();
      signal.addEventListener('abort', onAbort, { once: true });
      request.on('error', (error) => finish(classifyNetworkError(error)));
      request.on('response', (reply) => readReply(reply, finish));
      request.end(payload);
    });
  }

  #headers(length: number): Record<string, string> {
    const headers: Record<string, string> = {
      'User-Agent': 'headroom-otel',
      ...this.#options.headers,
      'Content-Type': this.#options.contentType,
      'Content-Length': String(length),
    };
    if (this.#options.compression === 'gzip') headers['Content-Encoding'] = 'gzip';
    return headers;
  }
}

function readReply(reply: http.IncomingMessage, finish: (response: ExportResponse) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  reply.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_REPLY_BYTES) chunks.push(chunk);
  });
  reply.on('error', (error) => finish(classifyNetworkError(error)));
  reply.on('end', () => {
    const retryAfter = reply.headers['retry-after'];
    finish(
      classifyReply(
        reply.statusCode ?? 0,
        reply.statusMessage,
        retryAfter,
        Buffer.concat(chunks),
        Date.now(),
      ),
    );
  });
}
