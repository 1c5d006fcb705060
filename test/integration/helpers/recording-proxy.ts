/**
 * An HTTP proxy on 127.0.0.1 that passes every request on to `target` and records it: what an
 * agent sent to a real server (Alertmanager keeps the earliest `startsAt` of alerts it merges, so
 * only the requests themselves show that a restarted agent sends the `startsAt` it had).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request passed on. */
export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: string;
  /** When it arrived, ms since the epoch (real time). */
  readonly atMs: number;
}

export class RecordingProxy {
  readonly requests: ProxiedRequest[] = [];
  readonly #server: Server;

  private constructor(target: string) {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const method = req.method ?? 'GET';
        this.requests.push({ method, path: req.url ?? '', body, atMs: Date.now() });
        try {
          const reply = await fetch(`${target}${req.url ?? ''}`, {
            method,
            headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
            ...(method === 'GET' || method === 'HEAD' ? {} : { body }),
          });
          res.writeHead(reply.status, { 'content-type': reply.headers.get('content-type') ?? 'text/plain' });
          res.end(Buffer.from(await reply.arrayBuffer()));
        } catch {
          res.writeHead(502).end();
        }
      });
    });
  }

  /** Starts a proxy to `target` (a base URL) on an ephemeral loopback port. */
  static async start(target: string): Promise<RecordingProxy> {
    const proxy = new RecordingProxy(target);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }
}
