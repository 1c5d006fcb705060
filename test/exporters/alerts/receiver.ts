/**
 * A tiny HTTP receiver on 127.0.0.1 for channel tests: records every request with its raw body,
 * answers 200 unless scripted (a status with Retry-After, or holding the reply until released).
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the receiver answers one request. */
export type Reply =
  | { readonly status: number; readonly retryAfter?: string; readonly body?: string }
  | 'hold';

/** One request as the receiver saw it. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The body exactly as received. */
  readonly body: string;
  /** When it arrived, ms since the epoch (real time). */
  readonly atMs: number;
}

export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  readonly #server: Server;
  readonly #script: Reply[] = [];
  readonly #held: ServerResponse[] = [];
  readonly #waiters = new Set<() => void>();

  private constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.requests.push({
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body,
          atMs: Date.now(),
        });
        this.#answer(res, this.#script.shift() ?? { status: 200 });
        for (const wake of this.#waiters) wake();
      });
    });
  }

  static async start(): Promise<Receiver> {
    const receiver = new Receiver();
    await new Promise<void>((resolve) => receiver.#server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Answers the next requests with `replies`, in order; then 200 again. */
  script(...replies: Reply[]): void {
    this.#script.push(...replies);
  }

  /** Answers every held request with 200. */
  release(): void {
    for (const res of this.#held.splice(0)) res.writeHead(200).end();
  }

  /** Bodies of the requests so far, parsed as JSON. */
  bodies(): unknown[] {
    return this.requests.map((request) => JSON.parse(request.body));
  }

  /** Resolves once `count` requests have arrived; rejects after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 5000): Promise<ReceivedRequest[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} requests, got ${this.requests.length}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#waiters.add(wake);
      });
    }
    return this.requests.slice(0, count);
  }

  async stop(): Promise<void> {
    this.release();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #answer(res: ServerResponse, reply: Reply): void {
    if (reply === 'hold') {
      this.#held.push(res);
      return;
    }
    const headers = reply.retryAfter === undefined ? {} : { 'Retry-After': reply.retryAfter };
    res.writeHead(reply.status, headers).end(reply.body ?? '');
  }
}
