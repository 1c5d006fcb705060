/**
 * The live view's page, served from the package (no CDN: it works offline): a fixed allow-list of
 * files read once at creation, with their content types, a strong ETag (a `304` for a matching
 * `If-None-Match`, RFC 9110 §13.1.2), `Cache-Control: no-cache` (always revalidated: the names carry
 * no version) and a Content-Security-Policy of `default-src 'self'` (no inline script or style).
 * `/ui`, `/ui/` and every `/ui/services/<namespace>/<service>` answer index.html: the page routes
 * on the client. Nothing outside the list is ever read, so no path can reach another file.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diag } from '@opentelemetry/api';
import type { RequestHandler } from './view-handler.ts';

/** Where the page's own files are: `view/static/` beside this module (the build copies it into dist/). */
export const PAGE_ROOT = fileURLToPath(new URL('./static/', import.meta.url));

const HTML = 'text/html; charset=utf-8';
const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** The page's files under `/ui/`, each with its content type. */
const PAGE_FILES: Readonly<Record<string, string>> = {
  'index.html': HTML,
  'style.css': CSS,
  'favicon.svg': 'image/svg+xml',
  'app.js': JS,
  'api.js': JS,
  'sse.js': JS,
  'store.js': JS,
  'format.js': JS,
  'charts.js': JS,
  'overview.js': JS,
  'service-page.js': JS,
  'dom.js': JS,
  'widgets.js': JS,
  'keyed.js': JS,
  'overview-row.js': JS,
};

/** uPlot's files, from the installed `uplot` package, under `/ui/vendor/`. */
const VENDOR_FILES: Readonly<Record<string, string>> = {
  'uPlot.iife.min.js': JS,
  'uPlot.min.css': CSS,
};

/** `default-src 'self'` and the directives it does not cover (frames, base URL, form targets). */
const CSP = "default-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/** Two non-empty path segments after `/ui/services/`: the client-side route of a service page. */
const SERVICE_PAGE = /^\/ui\/services\/[^/]+\/[^/]+$/;

interface Asset {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
}

/** An asset, or why it could not be read (a broken install: answered with a 500, logged once). */
type Loaded = Asset | { readonly error: string };

function load(path: string, contentType: string): Loaded {
  try {
    const body = readFileSync(path);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    return { body, contentType, etag };
  } catch (error) {
    diag.error(`headroom: live view file ${path} cannot be read; reinstall the package`, error);
    return { error: `live view file missing from the installation: ${path}` };
  }
}

function uplotDir(): string {
  return join(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'), '..');
}

function assets(rootDir: string, vendorDir: string): Map<string, Loaded> {
  const out = new Map<string, Loaded>();
  for (const [name, type] of Object.entries(PAGE_FILES))
    out.set(`/ui/${name}`, load(join(rootDir, name), type));
  for (const [name, type] of Object.entries(VENDOR_FILES))
    out.set(`/ui/vendor/${name}`, load(join(vendorDir, name), type));
  return out;
}

function routeOf(path: string): string {
  return path === '/ui' || path === '/ui/' || SERVICE_PAGE.test(path) ? '/ui/index.html' : path;
}

function sendPlain(res: ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...(status === 405 ? { allow: 'GET, HEAD' } : {}),
  });
  res.end(body);
}

function send(req: IncomingMessage, res: ServerResponse, asset: Asset): void {
  const headers = {
    'content-type': asset.contentType,
    etag: asset.etag,
    'cache-control': 'no-cache',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
  if (req.headers['if-none-match']?.split(/\s*,\s*/).includes(asset.etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'content-length': asset.body.length });
  res.end(req.method === 'HEAD' ? undefined : asset.body);
}

/**
 * Serves the page from `rootDir` (its own files) and `vendorDir` (uPlot's), read once, here.
 * A request whose path is neither `/ui` nor under `/ui/` is left alone (`false`); under `/ui/`, a
 * name outside the allow-list gets a 404, a method other than GET/HEAD a 405 (`Allow: GET, HEAD`).
 * @param rootDir the page's folder. @default {@link PAGE_ROOT}
 * @param vendorDir uPlot's `dist` folder. @default resolved from the installed `uplot` package
 * @example
 * const staticFiles = createStaticFiles();
 * createServer((req, res) => { if (!staticFiles(req, res)) res.writeHead(404).end(); });
 */
export function createStaticFiles(rootDir = PAGE_ROOT, vendorDir = uplotDir()): RequestHandler {
  const files = assets(rootDir, vendorDir);
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    if (path !== '/ui' && !path.startsWith('/ui/')) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendPlain(res, 405, 'method_not_allowed', `${req.method} is not allowed on ${path}; use GET`);
      return true;
    }
    const asset = files.get(routeOf(path));
    if (asset === undefined) sendPlain(res, 404, 'not_found', `no page file ${path}`);
    else if ('error' in asset) sendPlain(res, 500, 'internal', asset.error);
    else send(req, res, asset);
    return true;
  };
}
