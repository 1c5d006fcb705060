/**
 * A stand-in for Headroom's live view API (DESIGN16.md, "The view API"), on 127.0.0.1 port 0 with
 * node:http: the real page (createStaticFiles), `GET /api/v1/view` and `GET /api/v1/view/stream`
 * behind bearer tokens, each optionally bound to a namespace. The test pushes events as the agent
 * would; page tests run against it without an agent behind.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createStaticFiles } from '../../view/index.ts';

interface Identified {
  readonly namespace: string;
  readonly service: string;
}

/** A view: `services` are filtered per token; the rest goes out as is. */
export interface FakeView {
  readonly services: readonly Identified[];
  readonly [field: string]: unknown;
}

/** A running fake. */
export interface FakeViewServer {
  /** `http://127.0.0.1:port`. */
  readonly url: string;
  /** Streams open now. */
  streams(): number;
  /** Sends an event to every stream whose token may see it (`namespace`/`service` fields decide). */
  push(event: 'service' | 'point' | 'evicted', data: object): void;
  /** Ends every open stream (the page is expected to reconnect). */
  endStreams(): void;
  close(): Promise<void>;
}

/**
 * Tokens: secret -> the namespace it is bound to (`undefined`: every namespace), or the refusal
 * its requests get (status, error message, extra headers), as a token without the `read` scope
 * (403) or over its stream cap (429) gets.
 */
export type FakeTokens = Readonly<
  Record<
    string,
    {
      readonly namespace?: string;
      readonly refused?: {
        readonly status: number;
        readonly message: string;
        readonly headers?: Record<string, string>;
      };
    }
  >
>;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** Starts the fake with `view` as the whole view and `tokens` as the known tokens. */
export async function startFakeViewServer(view: FakeView, tokens: FakeTokens): Promise<FakeViewServer> {
  const staticFiles = createStaticFiles();
  const open = new Set<{ res: ServerResponse; namespace: string | undefined }>();
  const visible = (namespace: string | undefined, id: Identified) =>
    namespace === undefined || namespace === id.namespace;
  const viewFor = (namespace: string | undefined) => ({
    ...view,
    services: view.services.filter((s) => visible(namespace, s)),
  });
  const write = (res: ServerResponse, event: string, data: unknown) =>
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (staticFiles(req, res)) return;
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/api/v1/view' && path !== '/api/v1/view/stream')
      return sendJson(res, 404, { error: { code: 'not_found', message: `no route ${path}` } });
    const secret = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const token = secret === undefined ? undefined : tokens[secret];
    if (token === undefined) {
      const message = 'the bearer token is missing, malformed or unknown';
      return sendJson(
        res,
        401,
        { error: { code: 'unauthorized', message } },
        { 'www-authenticate': 'Bearer realm="headroom"' },
      );
    }
    if (token.refused !== undefined) {
      const { status, message, headers } = token.refused;
      return sendJson(
        res,
        status,
        { error: { code: status === 403 ? 'forbidden' : 'too_many_streams', message } },
        headers,
      );
    }
    if (path === '/api/v1/view') return sendJson(res, 200, viewFor(token.namespace));
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    const stream = { res, namespace: token.namespace };
    open.add(stream);
    res.on('close', () => open.delete(stream));
    write(res, 'view', viewFor(token.namespace));
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    streams: () => open.size,
    push(event, data) {
      for (const { res, namespace } of open) {
        if (event === 'point') {
          const points = (data as { points: Identified[] }).points.filter((p) => visible(namespace, p));
          if (points.length > 0) write(res, event, { ...data, points });
        } else if (visible(namespace, data as Identified)) write(res, event, data);
      }
    },
    endStreams() {
      for (const { res } of open) res.end();
    },
    async close() {
      for (const { res } of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
