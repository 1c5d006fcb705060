/**
 * The live view's HTTP edges, the same in both modes (the embedded view listener and the collector's
 * decision API listener, each a real server on 127.0.0.1:0 serving the real page): every method
 * other than GET and HEAD gets a 405 naming them, HEAD answers GET's headers without a body (and
 * opens no stream), the stream cap counts per token whatever the token's name, and while
 * `api.anonymous` is on only the listener's own names are answered (DNS rebinding).
 */
import { request as httpRequest } from 'node:http';
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
afterEach(async () => {
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
});
