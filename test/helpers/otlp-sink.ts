/**
 * A tiny OTLP/HTTP backend on 127.0.0.1 for integration tests: accepts POST /v1/traces and
 * /v1/metrics (protobuf or JSON, gzip or not), records what it accepted, and can be scripted to
 * fail (503/429 with Retry-After, 400, hang) or be stopped and restarted on the same port (held
 * by a {@link PortGate} meanwhile, so no other server can be given it).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import {
  decodeOtlpRequest,
  type ReceivedMetric,
  type ReceivedSpan,
  receivedMetrics,
  receivedSpans,
} from '../exporters/otlp/otlp-request-decoder.ts';
import { PortGate } from './port-gate.ts';

/** How the sink answers one request: a status (with Retry-After, s) or no answer at all. */
export type SinkReply = { readonly status: number; readonly retryAfterSeconds?: number } | 'hang';

/** One request as the sink saw it. */
export interface SinkRequest {
  readonly path: string;
  readonly contentType: string;
  readonly contentEncoding: string | undefined;
  readonly headers: IncomingMessage['headers'];
  /** The status answered, or 'hang'. */
  readonly reply: number | 'hang';
}

export class OtlpSink {
  /** Every request, in arrival order. */
  readonly requests: SinkRequest[] = [];
  /** Spans of accepted (2xx) requests. */
  readonly spans: ReceivedSpan[] = [];
  /** Metrics of accepted (2xx) requests. */
  readonly metrics: ReceivedMetric[] = [];
  readonly #server: Server;
  readonly #scripted: SinkReply[] = [];
  #gate: PortGate | undefined;

  private constructor() {
    this.#server = createServer((req, res) => this.#handle(req, res));
  }

  /** Starts a sink on an ephemeral loopback port. */
  static async start(): Promise<OtlpSink> {
    const sink = new OtlpSink();
    sink.#gate = await PortGate.start(await listen(sink.#server));
    return sink;
  }

  /** Base endpoint, as `exporters.otlp.endpoint` takes it. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.#gate?.port}`;
  }

  /** Answers the next requests with `replies`, in order; then 200 again. */
  script(...replies: SinkReply[]): void {
    this.#scripted.push(...replies);
  }

  /** Stops listening and cuts every connection, hung ones included: the backend is down. */
  async stop(): Promise<void> {
    this.#gate?.down();
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  /** Listens again on the same port: the backend is back. */
  async restart(): Promise<void> {
    this.#gate?.up(await listen(this.#server));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => this.#answer(req, res, Buffer.concat(chunks)));
  }

  #answer(req: IncomingMessage, res: ServerResponse, raw: Buffer): void {
    const path = req.url ?? '';
    const contentType = req.headers['content-type'] ?? '';
    const contentEncoding = req.headers['content-encoding'];
    const signal = path === '/v1/traces' ? 'traces' : path === '/v1/metrics' ? 'metrics' : undefined;
    const reply: SinkReply =
      signal === undefined ? { status: 404 } : (this.#scripted.shift() ?? { status: 200 });
    this.requests.push({
      path,
      contentType,
      contentEncoding,
      headers: req.headers,
      reply: reply === 'hang' ? 'hang' : reply.status,
    });
    if (reply === 'hang') return;
    if (reply.status >= 200 && reply.status < 300 && signal !== undefined) {
      const request = decodeOtlpRequest(
        signal,
        contentEncoding === 'gzip' ? gunzipSync(raw) : raw,
        contentType,
      );
      if (signal === 'traces') this.spans.push(...receivedSpans(request));
      else this.metrics.push(...receivedMetrics(request));
    }
    const json = contentType.startsWith('application/json');
    const headers: Record<string, string> = {
      'Content-Type': json ? 'application/json' : 'application/x-protobuf',
    };
    if (reply.retryAfterSeconds !== undefined) headers['Retry-After'] = String(reply.retryAfterSeconds);
    // An empty ExportServiceResponse: zero bytes in protobuf, {} in JSON.
    res.writeHead(reply.status, headers).end(json ? '{}' : '');
  }
}

/** Listens on an ephemeral loopback port; its number. */
async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Polls `check` until it returns true, failing after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    // The sink is a real socket: requests reach it in their own time (bounded polling).
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
