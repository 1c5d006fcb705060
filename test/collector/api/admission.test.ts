/**
 * Fair use of the decision API (issue 9, faults 7 and 8): decision streams capped per token and in
 * all with exact 429 replies, slow headers and slow bodies closed with a 408 within the configured
 * timeouts (small here so the tests are quick), live streams untouched by those timeouts, and
 * token changes taking effect on reconfigure.
 */
import { describe, expect, it, vi } from 'vitest';
import { postHead, type RawResponse, rawConnect } from '../../helpers/raw-http.ts';
import { apiPerTest, DEFAULT_API, TOKENS } from './setup.ts';

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const STREAM = '/api/v1/decisions/stream';

const testApi = apiPerTest();
const start = (api: object, keepaliveMs?: number) => testApi.start({ ...DEFAULT_API, ...api }, keepaliveMs);
const open = (token: string) => testApi.stream(STREAM, auth(token));

/** Status, Retry-After and body of a stream request that is expected to be refused. */
async function refusedStream(token?: string) {
  const reply = await testApi.current?.request(STREAM, token === undefined ? {} : { token });
  return { status: reply?.status, retryAfter: reply?.headers.get('retry-after'), body: reply?.body };
}

function withoutDate(response: RawResponse) {
  const { date: _date, ...headers } = response.headers;
  return { status: response.status, headers, body: response.body };
}

function timeoutReply(message: string) {
  const body = JSON.stringify({ error: { code: 'request_timeout', message } });
  return {
    status: 408,
    headers: {
      connection: 'close',
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(body.length),
    },
    body,
  };
}

describe('decision stream caps', () => {
  it('should refuse a token past maxStreamsPerToken, and anyone past maxStreams, with 429, Retry-After and the reason', async () => {
    await start({ maxStreamsPerToken: 2, maxStreams: 3 });
    const reader = [await open(TOKENS.reader), await open(TOKENS.reader)];
    expect(reader.map((stream) => stream.response.status)).toEqual([200, 200]);
    expect(await refusedStream(TOKENS.reader)).toEqual({
      status: 429,
      retryAfter: '5',
      body: {
        error: {
          code: 'too_many_streams',
          message:
            'too many open streams for token "reader" (2, api.maxStreamsPerToken); close one or retry later',
        },
      },
    });
    // Another token still gets a stream: the cap is per token.
    expect((await open(TOKENS.admin)).response.status).toBe(200);
    expect(await refusedStream(TOKENS.admin)).toEqual({
      status: 429,
      retryAfter: '5',
      body: {
        error: {
          code: 'too_many_streams',
          message: 'too many open streams (3, api.maxStreams); retry later',
        },
      },
    });
  });

  it('should give a stream back to its token once the client goes away', async () => {
    await start({ maxStreamsPerToken: 1 });
    const first = await open(TOKENS.reader);
    expect((await refusedStream(TOKENS.reader)).status).toBe(429);
    await first.close();
    await vi.waitFor(
      async () => {
        const again = await open(TOKENS.reader);
        expect(again.response.status).toBe(200);
      },
      { timeout: 2000, interval: 20 },
    );
  });

  it('should count anonymous access as one caller', async () => {
    await start({ anonymous: ['read'], maxStreamsPerToken: 1 });
    const first = await testApi.stream(STREAM);
    expect(first.response.status).toBe(200);
    expect(await refusedStream()).toEqual({
      status: 429,
      retryAfter: '5',
      body: {
        error: {
          code: 'too_many_streams',
          message:
            'too many open streams for anonymous access (1, api.maxStreamsPerToken); close one or retry later',
        },
      },
    });
  });
});

describe('decision API timeouts', () => {
  const limits = { headersTimeout: '200ms', requestTimeout: '400ms', keepAliveTimeout: '300ms' };
  const message = 'request not received in time: headers within 200ms, whole request within 400ms';

  it('should close headers that never end, and a connection that sends nothing, with 408 within the bound', async () => {
    const { server } = await start(limits);
    const startedMs = Date.now();
    const partial = await rawConnect(server.url);
    partial.write('GET /api/v1/services HTTP/1.1\r\nhost: 127.0.0.1\r\nauthoriz');
    const silent = await rawConnect(server.url);
    const replies = await Promise.all([partial.response, silent.response]);
    expect(replies.map(withoutDate)).toEqual([timeoutReply(message), timeoutReply(message)]);
    expect(Date.now() - startedMs).toBeLessThan(4000);
  });

  it('should close an override whose body trickles past requestTimeout with 408', async () => {
    const { server } = await start(limits);
    const startedMs = Date.now();
    const slow = await rawConnect(server.url);
    slow.write(
      postHead('/api/v1/services/checkout/override', {
        authorization: `Bearer ${TOKENS.admin}`,
        'content-type': 'application/json',
        'content-length': 100,
      }).replace('POST', 'PUT'),
    );
    // Real time: the bound under test is Node's own requestTimeout, which no clock of ours drives.
    const timer = setInterval(() => slow.write(' '), 50);
    const reply = await slow.response;
    clearInterval(timer);
    expect(withoutDate(reply)).toEqual(timeoutReply(message));
    expect(Date.now() - startedMs).toBeLessThan(4000);
  });

  it('should leave an open decision stream alone past every timeout', async () => {
    const { server, clock } = await start(limits, 100);
    const stream = await open(TOKENS.reader);
    // Node's own http timers run on real time: a body that stops arriving gets its 408 once
    // requestTimeout has passed, so the stream opened before it has lived past every timeout.
    const stalled = await rawConnect(server.url);
    stalled.write(
      postHead('/api/v1/services/checkout/override', {
        authorization: `Bearer ${TOKENS.admin}`,
        'content-type': 'application/json',
        'content-length': 100,
      }).replace('POST', 'PUT'),
    );
    expect(withoutDate(await stalled.response)).toEqual(timeoutReply(message));
    clock.advance(800);
    await vi.waitFor(() => expect(stream.comments).toEqual(new Array(8).fill('keepalive')));
    expect(stream.response.status).toBe(200);
    const ended = await Promise.race([stream.done, Promise.resolve('open')]);
    expect(ended).toBe('open');
  });
});

describe('token changes at reconfigure', () => {
  it('should refuse a removed token at once and end its streams, accept a new one, and leave the others', async () => {
    const { server, agent, request } = await start({});
    const readerStream = await open(TOKENS.reader);
    const adminStream = await open(TOKENS.admin);
    const newToken = 'new-reader-token-0123456789';
    const tokens = [
      ...(DEFAULT_API.tokens ?? []).filter((token) => token.name !== 'reader'),
      { name: 'new-reader', token: newToken, scopes: ['read' as const] },
    ];
    server.reconfigure({ ...agent.config.api, tokens });

    expect(await readerStream.done).toBe('ended');
    expect((await request('/api/v1/services', { token: TOKENS.reader })).body).toEqual({
      error: { code: 'unauthorized', message: 'the bearer token is missing, malformed or unknown' },
    });
    expect((await request('/api/v1/services', { token: newToken })).status).toBe(200);
    expect((await request('/api/v1/services', { token: TOKENS.admin })).status).toBe(200);
    const stillOpen = await Promise.race([adminStream.done, Promise.resolve('open')]);
    expect(stillOpen).toBe('open');
  });

  it('should end the streams of a token whose scopes changed, and of anonymous access once it loses read', async () => {
    const { server, agent } = await start({ anonymous: ['read'] });
    const anonymous = await testApi.stream(STREAM);
    const reader = await open(TOKENS.reader);
    const tokens = (DEFAULT_API.tokens ?? []).map((token) =>
      token.name === 'reader' ? { ...token, scopes: ['override' as const] } : token,
    );
    server.reconfigure({ ...agent.config.api, tokens, anonymous: [] });
    expect(await Promise.all([anonymous.done, reader.done])).toEqual(['ended', 'ended']);
  });
});
