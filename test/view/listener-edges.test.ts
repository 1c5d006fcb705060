/**
 * The live view's HTTP edges, the same in both modes (the embedded view listener and the collector's
 * decision API listener, each a real server on 127.0.0.1:0 serving the real page): every method
 * other than GET and HEAD gets a 405 naming them, HEAD answers GET's headers without a body (and
 * opens no stream), the stream cap counts per token whatever the token's name, and while
 * `api.anonymous` is on only the listener's own names are answered (DNS rebinding).
 */
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { DiagLogLevel, diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { liveViewOptions } from '../../app/live-view-options.ts';
import { startViewListener } from '../../app/view-listener.ts';
import { startDecisionApi } from '../../collector/api/index.ts';
import type { HeadroomConfigInput } from '../../config/index.ts';
import { openStream } from '../collector/api/setup.ts';
import { testAgent } from '../helpers/agent.ts';

const PAY = 'pay-token-payments-0123456789';
const PAY_TOO = 'pay-token-shop-0123456789';

const TOKENS = [
  { name: 'pay', token: PAY, scopes: ['read' as const], namespace: 'payments' },
  { name: 'pay', token: PAY_TOO, scopes: ['read' as const], namespace: 'shop' },
];

const RECEIVER = {
  tokens: [
    { name: 'payments-sender', token: 'payments-sender-0123456789', namespace: 'payments' },
    { name: 'shop-sender', token: 'shop-sender-0123456789', namespace: 'shop' },
  ],
};

type Mode = 'embedded' | 'collector';

interface Listener {
  readonly url: string;
  reconfigure?(allowedHosts: readonly string[]): void;
  close(): Promise<void>;
}

const running: Listener[] = [];
const streams: Awaited<ReturnType<typeof openStream>>[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  diag.disable();
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const stream of streams.splice(0)) await stream.close();
  for (const listener of running.splice(0)) await listener.close();
});

/** The view with the real page, in `mode`, over `api` and `ui`. */
async function start(mode: Mode, api: HeadroomConfigInput['api'], ui: HeadroomConfigInput['ui'] = {}) {
  const { agent } = testAgent({
    receiver: RECEIVER,
    api: { port: 0, tokens: TOKENS, ...api },
    ui: { enabled: true, port: 0, ...ui },
  });
  let listener: Listener;
  if (mode === 'embedded') {
    listener = await startViewListener(agent, agent.config, undefined);
  } else {
    const api = await startDecisionApi({
      agent,
      config: agent.config.api,
      view: liveViewOptions(agent.config, undefined),
    });
    listener = {
      url: api.url,
      reconfigure: (allowedHosts) => api.reconfigure({ ...agent.config.api, allowedHosts }),
      close: () => api.close(),
    };
  }
  running.push(listener);
  return listener;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | undefined>;
  readonly body: string;
}

/** One request with any method and `Host` (fetch() may not set either freely). */
function send(
  url: string,
  path: string,
  options: {
    method?: string;
    host?: string;
    token?: string;
    headers?: string[];
    body?: readonly [contentType: string, text: string];
  } = {},
): Promise<Answer> {
  const { hostname, port } = new URL(url);
  const headers: Record<string, string> = {};
  if (options.host !== undefined) headers.host = options.host;
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = options.body[0];
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: hostname, port, path, method: options.method ?? 'GET', headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const picked = Object.fromEntries(
            (options.headers ?? []).map((name) => [name, response.headers[name] as string | undefined]),
          );
          resolve({
            status: response.statusCode ?? 0,
            headers: picked,
            body: Buffer.concat(chunks).toString(),
          });
        });
      },
    );
    request.on('error', reject);
    request.end(options.body?.[1]);
  });
}

/** A raw connection that sends `requests` back to back (pipelined); `text()` is all it received. */
function raw(url: string, requests: string) {
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  sockets.push(socket);
  let text = '';
  let closed = false;
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
  });
  socket.on('close', () => {
    closed = true;
  });
  socket.on('error', () => {});
  socket.write(requests);
  return { socket, text: () => text, closed: () => closed };
}

/** A GET request's text, for {@link raw}. */
const get = (path: string, token: string, more = '') =>
  `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${token}\r\n${more}\r\n`;

/** The status lines of a raw connection's answers. */
const statusLines = (text: string) => text.match(/HTTP\/1\.1 \d{3} [^\r]*/g) ?? [];

/** Collects diag error lines until afterEach. */
function diagErrors(): string[] {
  const errors: string[] = [];
  const ignore = () => {};
  diag.setLogger(
    { error: (message) => errors.push(message), warn: ignore, info: ignore, debug: ignore, verbose: ignore },
    { logLevel: DiagLogLevel.ERROR, suppressOverrideMessage: true },
  );
  return errors;
}

const PATHS = ['/api/v1/view', '/api/v1/view/stream', '/ui/', '/ui/app.js', '/ui/services/payments/checkout'];
const METHODS = ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

describe.each<Mode>(['embedded', 'collector'])('the live view listener (%s)', (mode) => {
  it('should answer every method but GET and HEAD on the view paths with 405, Allow: GET, HEAD and the reason', async () => {
    const { url } = await start(mode, {});
    const answers = [];
    for (const path of PATHS) {
      for (const method of METHODS) {
        const answer = await send(url, path, { method, token: PAY, headers: ['allow', 'content-type'] });
        answers.push([path, method, answer.status, answer.headers, JSON.parse(answer.body)]);
      }
    }
    // A body the decision API would not parse changes nothing: the method is what is wrong.
    for (const body of [
      ['application/x-www-form-urlencoded', 'a=1'],
      ['application/json', '{bad'],
    ] as const) {
      const answer = await send(url, '/api/v1/view', { method: 'POST', body, headers: ['allow'] });
      answers.push(['/api/v1/view', 'POST', answer.status, answer.headers, JSON.parse(answer.body)]);
    }
    expect(answers).toEqual(
      [...PATHS, '/api/v1/view', '/api/v1/view'].flatMap((path, index) =>
        (index < PATHS.length ? METHODS : ['POST']).map((method) => [
          path,
          method,
          405,
          index < PATHS.length
            ? { allow: 'GET, HEAD', 'content-type': 'application/json; charset=utf-8' }
            : { allow: 'GET, HEAD' },
          { error: { code: 'method_not_allowed', message: `${method} is not allowed on ${path}; use GET` } },
        ]),
      ),
    );
  });

  it('should answer HEAD with GET’s status and headers, no body and no stream taken', async () => {
    const { url } = await start(mode, { maxStreamsPerToken: 1 });
    const heads = [];
    for (const path of PATHS) {
      for (const token of [PAY, undefined]) {
        const headers = ['content-type', 'www-authenticate'];
        const answer = await send(url, path, { method: 'HEAD', token, headers });
        heads.push([
          path,
          token === undefined ? 'no token' : 'token',
          answer.status,
          answer.headers,
          answer.body,
        ]);
      }
    }
    const json = 'application/json; charset=utf-8';
    const html = 'text/html; charset=utf-8';
    const js = 'text/javascript; charset=utf-8';
    const challenge = 'Bearer realm="headroom"';
    const row = (path: string, who: string, status: number, type: string, www?: string) => [
      path,
      who,
      status,
      { 'content-type': type, 'www-authenticate': www },
      '',
    ];
    expect(heads).toEqual([
      row('/api/v1/view', 'token', 200, json),
      row('/api/v1/view', 'no token', 401, json, challenge),
      row('/api/v1/view/stream', 'token', 200, 'text/event-stream; charset=utf-8'),
      row('/api/v1/view/stream', 'no token', 401, json, challenge),
      row('/ui/', 'token', 200, html),
      row('/ui/', 'no token', 200, html),
      row('/ui/app.js', 'token', 200, js),
      row('/ui/app.js', 'no token', 200, js),
      row('/ui/services/payments/checkout', 'token', 200, html),
      row('/ui/services/payments/checkout', 'no token', 200, html),
    ]);
    const stream = await openStream(`${url}/api/v1/view/stream`, { authorization: `Bearer ${PAY}` });
    streams.push(stream);
    expect(stream.response.status).toBe(200);
  });

  it('should cap streams per token, not per name: two tokens named alike do not share a cap', async () => {
    const { url } = await start(mode, { maxStreamsPerToken: 1 });
    const open = async (token: string) => {
      const stream = await openStream(`${url}/api/v1/view/stream`, { authorization: `Bearer ${token}` });
      streams.push(stream);
      return stream.response.status;
    };
    expect([await open(PAY), await open(PAY_TOO)]).toEqual([200, 200]);
    const refused = await send(url, '/api/v1/view/stream', { token: PAY, headers: ['retry-after'] });
    expect([refused.status, refused.headers, JSON.parse(refused.body)]).toEqual([
      429,
      { 'retry-after': '5' },
      {
        error: {
          code: 'too_many_streams',
          message:
            'too many open streams for token "pay" (1, api.maxStreamsPerToken); close one or retry later',
        },
      },
    ]);
  });

  it('should answer, while api.anonymous is on, only the hosts the listener is known by (403 otherwise)', async () => {
    const listener = await start(
      mode,
      { anonymous: ['read'], allowedHosts: ['view.internal', '.corp.example'] },
      { externalUrl: 'https://headroom.example.com' },
    );
    const port = new URL(listener.url).port;
    const allowed = [
      `127.0.0.1:${port}`,
      '10.1.2.3',
      `[::1]:${port}`,
      `localhost:${port}`,
      'app.localhost',
      'headroom.example.com',
      'HEADROOM.Example.com.:443',
      'view.internal:8080',
      'corp.example',
      'a.b.corp.example',
    ];
    const refused = [
      `evil.example:${port}`,
      'headroom.example.com.evil.example',
      'localhost.evil.example',
      'xcorp.example',
      'view.internal.evil',
    ];
    const status = async (host: string, path: string) => (await send(listener.url, path, { host })).status;
    const answers = [];
    for (const host of [...allowed, ...refused]) {
      answers.push([host, await status(host, '/api/v1/view'), await status(host, '/ui/')]);
    }
    expect(answers).toEqual([
      ...allowed.map((host) => [host, 200, 200]),
      ...refused.map((host) => [host, 403, 403]),
    ]);
    const answer = await send(listener.url, '/api/v1/view', { host: `evil.example:${port}` });
    expect(JSON.parse(answer.body)).toEqual({
      error: {
        code: 'forbidden',
        message: `Host "evil.example:${port}" is not a name of this listener, and api.anonymous lets callers in without a token, so a page on another site could read it by rebinding its name (DNS rebinding); open it as localhost, an IP address, headroom.example.com, or add "evil.example" to api.allowedHosts`,
      },
    });
    if (listener.reconfigure === undefined) return;
    // Collector mode: the whole decision API is guarded, and a reload takes new api.allowedHosts.
    expect((await send(listener.url, '/api/v1/services', { host: 'evil.example' })).status).toBe(403);
    listener.reconfigure(['evil.example']);
    expect((await send(listener.url, '/api/v1/services', { host: 'evil.example' })).status).toBe(200);
  });

  it('should answer any host when only tokens let callers in (a rebound page has no token)', async () => {
    const { url } = await start(mode, {});
    const answer = await send(url, '/api/v1/view', { host: 'evil.example', token: PAY });
    expect(answer.status).toBe(200);
  });

  const streamPaths =
    mode === 'embedded' ? ['/api/v1/view/stream'] : ['/api/v1/view/stream', '/api/v1/decisions/stream'];
  it.each(streamPaths)(
    'should give %s pipelined on one connection one slot: the others wait for the socket, holding none',
    async (path) => {
      const { url } = await start(mode, { maxStreamsPerToken: 2 });
      const pipelined = raw(url, get(path, PAY).repeat(4));
      await expect.poll(() => pipelined.text().includes('event: ')).toBe(true);
      const other = await openStream(`${url}${path}`, { authorization: `Bearer ${PAY}` });
      streams.push(other);
      const third = await send(url, path, { token: PAY });
      expect([statusLines(pipelined.text()), other.response.status, third.status]).toEqual([
        ['HTTP/1.1 200 OK'],
        200,
        429,
      ]);
    },
  );

  it('should open a stream pipelined behind a GET once the GET is answered', async () => {
    const { url } = await start(mode, { maxStreamsPerToken: 1 });
    const pipelined = raw(url, get('/api/v1/view', PAY) + get('/api/v1/view/stream', PAY));
    await expect.poll(() => pipelined.text().includes('event: view')).toBe(true);
    expect(statusLines(pipelined.text())).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
    expect((await send(url, '/api/v1/view/stream', { token: PAY })).status).toBe(429);
  });

  it('should refuse new answers with 503 and Retry-After while pending answers hold api.maxPendingSize, share one view among its readers, and answer again once freed', async () => {
    const { url } = await start(mode, { maxPendingSize: '1B' });
    // A GET pipelined behind a stream is never sent: its answer stays pending while the connection lives.
    const holder = raw(url, get('/api/v1/view/stream', PAY) + get('/api/v1/view', PAY));
    await expect.poll(() => holder.text().includes('event: view')).toBe(true);
    const shared = await send(url, '/api/v1/view', { token: PAY }); // the same view: counted once
    const busy = await send(url, '/api/v1/view', { token: PAY_TOO, headers: ['retry-after'] });
    const busyStream = await send(url, '/api/v1/view/stream', { token: PAY_TOO });
    expect([shared.status, busy.status, busy.headers, JSON.parse(busy.body), busyStream.status]).toEqual([
      200,
      503,
      { 'retry-after': '5' },
      {
        error: {
          code: 'busy',
          message:
            'the answers to other clients hold api.maxPendingSize of memory until their clients read them; retry later',
        },
      },
      503,
    ]);
    holder.socket.destroy();
    await expect.poll(async () => (await send(url, '/api/v1/view', { token: PAY_TOO })).status).toBe(200);
  });
});

describe('the embedded view listener', () => {
  // Collector mode: fastify parses the target first and answers 400 FST_ERR_BAD_URL or 404 itself.
  it.each([
    ['//[', 400, { code: 'bad_request', message: 'the request target is not a valid URL path' }],
    ['http://[', 400, { code: 'bad_request', message: 'the request target is not a valid URL path' }],
    ['/ui/%zz', 404, { code: 'not_found', message: 'no page file /ui/%zz' }],
  ])(
    'should answer the target %s with %i, the reason and no error log line',
    async (target, status, error) => {
      const errors = diagErrors();
      const { url } = await start('embedded', {});
      const answer = raw(url, `GET ${target} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n`);
      await expect.poll(() => answer.closed()).toBe(true);
      const text = answer.text();
      expect({
        status: statusLines(text),
        body: JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)),
        errors,
      }).toEqual({
        status: [`HTTP/1.1 ${status} ${status === 400 ? 'Bad Request' : 'Not Found'}`],
        body: { error },
        errors: [],
      });
    },
  );

  it('should take at most api.maxStreams + 16 connections', async () => {
    const { url } = await start('embedded', { maxStreams: 1 });
    const open = Array.from({ length: 17 }, () => raw(url, ''));
    await expect.poll(() => open.every((one) => one.socket.readyState === 'open')).toBe(true);
    const answered = await send(url, '/api/v1/view', { token: PAY }).catch((error: Error) => error.message);
    open.pop()?.socket.destroy();
    await expect.poll(async () => (await send(url, '/api/v1/view', { token: PAY })).status).toBe(200);
    // The 18th connection is closed unanswered (node:http's maxConnections), at once or after its request.
    expect(answered).toMatch(/^(socket hang up|read ECONNRESET)$/);
  });
});
