/**
 * The HTTP transport against hostile or broken receivers on 127.0.0.1: every request ends within
 * its timeout with a classified result, reply bodies are bounded, and redirects are not followed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../agent/index.ts';
import { HttpTransport } from '../../../exporters/delivery/index.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const servers: { server: Server; sockets: Set<Socket> }[] = [];

async function serve(handler: Handler): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  servers.push({ server, sockets });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
}

afterEach(async () => {
  for (const { server, sockets } of servers.splice(0)) {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});

function transport(url: string, timeoutMs = 2000, clock = new ManualClock(Date.UTC(2030, 0, 1))) {
  return new HttpTransport({ url, headers: {}, contentType: 'application/json', timeoutMs, clock });
}

const summary = (result: Awaited<ReturnType<HttpTransport['send']>>) => ({
  status: result.status,
  retryAfterMs: 'retryAfterMs' in result ? result.retryAfterMs : undefined,
  message: 'error' in result ? result.error.message : undefined,
});

describe('HttpTransport under attack', () => {
  it('should end a request to a receiver that accepts and never answers at its timeout, retryable', async () => {
    const url = await serve(() => {});
    const started = performance.now();
    const result = await transport(url, 150).send('{}', new AbortController().signal);
    expect(summary(result)).toEqual({
      status: 'retryable',
      retryAfterMs: undefined,
      message: 'request timed out after 150 ms',
    });
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('should bound a reply dripped byte by byte by the same timeout (connect to last byte)', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const drip = setInterval(() => res.write('x'), 10);
      res.on('close', () => clearInterval(drip));
    });
    const result = await transport(url, 200).send('{}', new AbortController().signal);
    expect(summary(result)).toEqual({
      status: 'retryable',
      retryAfterMs: undefined,
      message: 'request timed out after 200 ms',
    });
  });

  it('should read a huge 200 body as success and keep at most 4 MiB of it', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    const url = await serve((_req, res) => {
      res.writeHead(200);
      for (let i = 0; i < 16; i++) res.write(chunk);
      res.end();
    });
    const result = await transport(url).send('{}', new AbortController().signal);
    expect(result.status).toBe('success');
    expect(result.status === 'success' && result.body.length).toBeLessThanOrEqual(
      4 * 1024 * 1024 + chunk.length,
    );
  });

  it('should classify a reset connection as retryable', async () => {
    const url = await serve((req) => req.socket.destroy());
    const result = await transport(url).send('{}', new AbortController().signal);
    expect(summary(result)).toEqual({
      status: 'retryable',
      retryAfterMs: undefined,
      message: 'socket hang up',
    });
  });

  it('should classify a refused connection (receiver down) as retryable', async () => {
    const url = await serve(() => {});
    const { server } = servers.pop() as { server: Server };
    await new Promise((resolve) => server.close(resolve));
    const result = await transport(url).send('{}', new AbortController().signal);
    expect(result.status).toBe('retryable');
    expect(result.status !== 'success' && (result.error as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('should not follow a redirect: a failure, and the target never sees the body', async () => {
    let targetHits = 0;
    const target = await serve((_req, res) => {
      targetHits++;
      res.end();
    });
    const url = await serve((_req, res) => {
      res.writeHead(307, { Location: target });
      res.end();
    });
    const result = await transport(url).send('{}', new AbortController().signal);
    expect(summary(result)).toEqual({
      status: 'failure',
      retryAfterMs: undefined,
      message: 'HTTP 307 Temporary Redirect',
    });
    expect(targetHits).toBe(0);
  });

  it.each([
    ['120', 120_000],
    ['0', 0],
    ['99999999999999999999', 1e23],
    ['-5', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['', undefined],
    ['Tue, 01 Jan 2030 00:00:30 GMT', 30_000],
    ['Mon, 31 Dec 2029 23:59:00 GMT', 0],
  ])('should read Retry-After %j of a 429 as %j ms', async (header, retryAfterMs) => {
    const url = await serve((_req, res) => {
      res.writeHead(429, { 'Retry-After': header });
      res.end();
    });
    const result = await transport(url).send('{}', new AbortController().signal);
    expect(summary(result)).toEqual({
      status: 'retryable',
      retryAfterMs,
      message: 'HTTP 429 Too Many Requests',
    });
  });

  it("should not time out at once when timeoutMs is past Node's timer limit (a `600h` timeout)", async () => {
    const url = await serve((_req, res) => {
      setTimeout(() => res.end('{}'), 30);
    });
    const result = await transport(url, 2 ** 31 + 5000).send('{}', new AbortController().signal);
    expect(summary(result)).toEqual({ status: 'success', retryAfterMs: undefined, message: undefined });
  });

  it('should end at once, as a failure, when the signal aborts a hung request', async () => {
    const url = await serve(() => {});
    const abort = new AbortController();
    const pending = transport(url, 60_000).send('{}', abort.signal);
    setImmediate(() => abort.abort());
    expect(summary(await pending)).toEqual({
      status: 'failure',
      retryAfterMs: undefined,
      message: 'request aborted',
    });
  });
});
