import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaticFiles, PAGE_ROOT, type RequestHandler } from '../../view/index.ts';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

const servers: Server[] = [];

/** Serves `staticFiles`, answering 418 for what it leaves alone. */
async function serve(staticFiles: RequestHandler): Promise<number> {
  const server = createServer((req, res) => {
    if (!staticFiles(req, res)) res.writeHead(418).end('not mine');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** One request with the path exactly as written (node:http does not normalise `..`). */
function send(
  port: number,
  path: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

function etagOf(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

const uplotDist = join(import.meta.dirname, '..', '..', 'node_modules', 'uplot', 'dist');
const index = readFileSync(join(PAGE_ROOT, 'index.html'));

function pageHeaders(body: Buffer, contentType: string) {
  return {
    'content-type': contentType,
    'content-length': String(body.length),
    etag: etagOf(body),
    'cache-control': 'no-cache',
    'content-security-policy':
      "default-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}

function withoutTransport(headers: Answer['headers']) {
  const { date: _date, connection: _connection, 'keep-alive': _keepAlive, ...rest } = headers;
  return rest;
}

let port: number;

beforeAll(async () => {
  port = await serve(createStaticFiles());
});

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('the live view page files', () => {
  it('should answer index.html for /ui, /ui/ and every service page, with its whole set of headers', async () => {
    const paths = ['/ui', '/ui/', '/ui/?x=1', '/ui/services/payments/checkout', '/ui/services/_/a%2Fb%20c'];
    for (const path of paths) {
      const answer = await send(port, path);
      expect({ path, status: answer.status, headers: withoutTransport(answer.headers) }).toEqual({
        path,
        status: 200,
        headers: pageHeaders(index, 'text/html; charset=utf-8'),
      });
      expect(answer.body.equals(index)).toBe(true);
    }
  });

  it('should serve each file of the allow-list with its content type, uPlot from the installed package', async () => {
    const files: [string, string, string][] = [
      ['/ui/style.css', join(PAGE_ROOT, 'style.css'), 'text/css; charset=utf-8'],
      ['/ui/favicon.svg', join(PAGE_ROOT, 'favicon.svg'), 'image/svg+xml'],
      ...[
        'app.js',
        'api.js',
        'sse.js',
        'store.js',
        'format.js',
        'charts.js',
        'overview.js',
        'service-page.js',
        'dom.js',
        'widgets.js',
        'keyed.js',
        'overview-row.js',
      ].map((name): [string, string, string] => [
        `/ui/${name}`,
        join(PAGE_ROOT, name),
        'text/javascript; charset=utf-8',
      ]),
      [
        '/ui/vendor/uPlot.iife.min.js',
        join(uplotDist, 'uPlot.iife.min.js'),
        'text/javascript; charset=utf-8',
      ],
      ['/ui/vendor/uPlot.min.css', join(uplotDist, 'uPlot.min.css'), 'text/css; charset=utf-8'],
    ];
    for (const [path, file, type] of files) {
      const answer = await send(port, `${path}?v=2`);
      const body = readFileSync(file);
      expect({ path, status: answer.status, headers: withoutTransport(answer.headers) }).toEqual({
        path,
        status: 200,
        headers: pageHeaders(body, type),
      });
      expect(answer.body.equals(body)).toBe(true);
    }
  });

  it('should load every module and stylesheet the page names, and nothing outside the allow-list', async () => {
    const named = new Set<string>();
    const sources = [index.toString('utf8')];
    for (let i = 0; i < sources.length; i++) {
      for (const match of (sources[i] as string).matchAll(
        /(?:href|src)="(\/ui\/[^"]+)"|from '\.\/([\w-]+\.js)'/g,
      )) {
        const path = match[1] ?? `/ui/${match[2]}`;
        if (named.has(path)) continue;
        named.add(path);
        const answer = await send(port, path);
        expect({ path, status: answer.status }).toEqual({ path, status: 200 });
        if (path.endsWith('.js') && !path.includes('vendor')) sources.push(answer.body.toString('utf8'));
      }
    }
    // Every file of the allow-list is used: index.html names the rest, directly or through imports.
    const modules = [
      'app',
      'api',
      'sse',
      'store',
      'format',
      'charts',
      'overview',
      'overview-row',
      'keyed',
      'service-page',
      'dom',
      'widgets',
    ];
    expect([...named].sort()).toEqual(
      [
        '/ui/favicon.svg',
        '/ui/style.css',
        '/ui/vendor/uPlot.iife.min.js',
        '/ui/vendor/uPlot.min.css',
        ...modules.map((name) => `/ui/${name}.js`),
      ].sort(),
    );
  });

  it('should answer 304 without a body to a matching If-None-Match, and the file to any other', async () => {
    const etag = etagOf(index);
    const matching = [etag, `"other", ${etag}`, `${etag},"other"`];
    for (const value of matching) {
      const answer = await send(port, '/ui/', 'GET', { 'if-none-match': value });
      expect({ value, status: answer.status, length: answer.body.length, etag: answer.headers.etag }).toEqual(
        {
          value,
          status: 304,
          length: 0,
          etag,
        },
      );
    }
    for (const value of ['"other"', `W/${etag}`, etag.slice(0, -2), '*x']) {
      const answer = await send(port, '/ui/', 'GET', { 'if-none-match': value });
      expect({ value, status: answer.status, length: answer.body.length }).toEqual({
        value,
        status: 200,
        length: index.length,
      });
    }
  });

  it('should answer HEAD with the headers of GET and no body', async () => {
    const answer = await send(port, '/ui/app.js', 'HEAD');
    const body = readFileSync(join(PAGE_ROOT, 'app.js'));
    expect({
      status: answer.status,
      headers: withoutTransport(answer.headers),
      length: answer.body.length,
    }).toEqual({
      status: 200,
      headers: pageHeaders(body, 'text/javascript; charset=utf-8'),
      length: 0,
    });
  });

  it('should answer 405 with Allow to any other method', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
      const answer = await send(port, '/ui/', method);
      expect({
        method,
        status: answer.status,
        allow: answer.headers.allow,
        body: JSON.parse(answer.body.toString()),
      }).toEqual({
        method,
        status: 405,
        allow: 'GET, HEAD',
        body: { error: { code: 'method_not_allowed', message: `${method} is not allowed on /ui/; use GET` } },
      });
    }
  });

  it('should answer 404 to every path under /ui/ outside the allow-list, traversals included', async () => {
    const paths = [
      '/ui/../package.json',
      '/ui/%2e%2e/package.json',
      '/ui/vendor/../app.js',
      '/ui/vendor/uPlot.esm.js',
      '/ui/static-files.ts',
      '/ui/app.js/',
      '/ui//app.js',
      '/ui/APP.JS',
      '/ui/index.html%00',
      '/ui/services/',
      '/ui/services/payments',
      '/ui/services/payments/',
      '/ui/services/payments/checkout/',
      '/ui/services/a/b/c',
      '/ui/services//checkout',
    ];
    for (const path of paths) {
      const answer = await send(port, path);
      expect({ path, status: answer.status, body: JSON.parse(answer.body.toString()) }).toEqual({
        path,
        status: 404,
        body: { error: { code: 'not_found', message: `no page file ${path}` } },
      });
    }
  });

  it('should leave every path outside /ui alone', async () => {
    for (const path of ['/', '/uix', '/ui.js', '/api/v1/view', '/UI/', '/x/ui/', '/favicon.ico']) {
      const answer = await send(port, path, 'POST');
      expect({ path, status: answer.status, body: answer.body.toString() }).toEqual({
        path,
        status: 418,
        body: 'not mine',
      });
    }
  });

  it('should answer 500 naming the file for a file missing from the installation, and serve the rest', async () => {
    const root = mkdtempSync(join(tmpdir(), 'headroom-page-'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title>');
    const broken = await serve(createStaticFiles(root, join(root, 'no-vendor')));
    const missing = await send(broken, '/ui/app.js');
    expect({ status: missing.status, body: JSON.parse(missing.body.toString()) }).toEqual({
      status: 500,
      body: {
        error: {
          code: 'internal',
          message: `live view file missing from the installation: ${join(root, 'app.js')}`,
        },
      },
    });
    const vendor = await send(broken, '/ui/vendor/uPlot.min.css');
    expect(vendor.status).toBe(500);
    const page = await send(broken, '/ui/services/a/b');
    expect({ status: page.status, body: page.body.toString() }).toEqual({
      status: 200,
      body: '<!doctype html><title>t</title>',
    });
  });
});
