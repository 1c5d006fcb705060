/**
 * Slow senders over real sockets (issue 9, fault 7): bodies that trickle, bodies that take too long,
 * headers that never end. Each is answered 408 within its configured bound and counted, and none of
 * them keeps a legitimate client out while it lasts. Timeouts are configured small so the tests are
 * quick; the trickles are the attack itself, not waits.
 */
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { OtlpReceiver } from '../../../collector/receiver/index.ts';
import { postHead, type RawConnection, type RawResponse, rawConnect } from '../../helpers/raw-http.ts';
import { protobufPayload, spansOf } from './otlp-fixtures.ts';
import { PROTOBUF, post, startTestReceiver } from './receiver-harness.ts';

const open: OtlpReceiver[] = [];
const timers: NodeJS.Timeout[] = [];

afterEach(async () => {
  for (const timer of timers.splice(0)) clearInterval(timer);
  await Promise.all(open.splice(0).map((receiver) => receiver.close()));
});

async function start(receiver: Record<string, unknown>) {
  const started = await startTestReceiver({
    receiver: { maxQueuedRequests: 4, bodyTimeout: '5s', headersTimeout: '5s', ...receiver },
  });
  open.push(started.receiver);
  return started;
}

/** Polls `condition` every 5 ms for at most 10 s (a bound for loaded machines, not a wait). */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Writes `next()` every `everyMs` until the connection closes. */
function trickle(connection: RawConnection, everyMs: number, next: () => string | Uint8Array): void {
  timers.push(setInterval(() => connection.write(next()), everyMs));
}

type Kind = 'plain' | 'gzip' | 'chunked';

/**
 * A gzip stream to trickle: a valid prefix, so the inflater waits for more rather than failing;
 * of random bytes, so it stays about 1 KB long and never ends within a test.
 */
const GZIP_BODY = gzipSync(randomBytes(1000));

/** Headers then one body byte (a chunk of one byte when chunked), then one more every `everyMs`. */
async function slowSender(url: string, kind: Kind, everyMs: number): Promise<RawConnection> {
  const connection = await rawConnect(url);
  let sent = 0;
  const byte: Record<Kind, () => string | Uint8Array> = {
    plain: () => 'x',
    gzip: () => GZIP_BODY.subarray(sent, ++sent),
    chunked: () => '1\r\nx\r\n',
  };
  const framing: Record<Kind, Record<string, string | number>> = {
    plain: { 'content-length': 1000 },
    gzip: { 'content-length': GZIP_BODY.length, 'content-encoding': 'gzip' },
    chunked: { 'transfer-encoding': 'chunked' },
  };
  connection.write(postHead('/v1/traces', { 'content-type': 'application/json', ...framing[kind] }));
  connection.write(byte[kind]());
  trickle(connection, everyMs, byte[kind]);
  return connection;
}

function payload(nowMs: number) {
  const attributes = { 'headroom.budget.context': 'routine' };
  return protobufPayload(spansOf({}, [{ name: 'op', startMs: nowMs - 20, endMs: nowMs - 1, attributes }]));
}

/** The 408 every slow sender gets, as read off the wire. */
function timeoutReply(message: string) {
  const body = JSON.stringify({ code: 4, message });
  return {
    status: 408,
    headers: {
      connection: 'close',
      'content-type': 'application/json',
      'content-length': String(body.length),
    },
    body,
  };
}

function withoutDate(response: RawResponse) {
  const { date: _date, ...headers } = response.headers;
  return { status: response.status, headers, body: response.body };
}

describe('OTLP/HTTP receiver against slow senders', () => {
  it('should answer 408 to 80 trickling bodies after the grace period while admitting a legitimate client', async () => {
    // The grace period leaves room to connect 80 senders even on a loaded machine.
    const { receiver, clock } = await start({ minBodyRate: '1KiB', bodyRateGracePeriod: '3s' });
    const startedMs = Date.now();
    const kinds: Kind[] = ['plain', 'gzip', 'chunked'];
    const attackers = await Promise.all(
      Array.from({ length: 80 }, (_, i) => slowSender(receiver.url, kinds[i % 3] as Kind, 50)),
    );
    await until(() => receiver.stats().inFlight === 80);

    // 80 requests in flight with maxQueuedRequests 4: they hold connections, not the admission budget.
    const during = receiver.stats();
    const legitimate = await post(receiver.url, PROTOBUF, payload(clock.now()));
    expect([during.inFlight, during.refused.timeout, legitimate.status, legitimate.body.length]).toEqual([
      80, 0, 200, 0,
    ]);

    const replies = await Promise.all(attackers.map((attacker) => attacker.response));
    const expected = timeoutReply('request body arrived slower than 1024 bytes per second');
    expect(replies.map(withoutDate)).toEqual(new Array(80).fill(expected));
    // Each is cut at the end of its grace period (plus Node's scheduling on a busy machine).
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(3000);
    expect(Date.now() - startedMs).toBeLessThan(8000);
    expect(receiver.stats()).toMatchObject({
      inFlight: 0,
      spansReceived: 1,
      refused: { timeout: 80, queue_full: 0 },
    });
  });

  it('should answer 408 to a body that keeps the minimum rate but passes bodyTimeout', async () => {
    const { receiver } = await start({
      bodyTimeout: '400ms',
      minBodyRate: '1B',
      bodyRateGracePeriod: '100ms',
    });
    const startedMs = Date.now();
    const sender = await slowSender(receiver.url, 'plain', 20);
    const reply = await sender.response;
    expect(withoutDate(reply)).toEqual(timeoutReply('request body not received within 400ms'));
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(390);
    expect(Date.now() - startedMs).toBeLessThan(4000);
    expect(receiver.stats().refused.timeout).toBe(1);
  });

  it('should answer 408 to headers that never end, and to a connection that sends nothing, within headersTimeout', async () => {
    const { receiver } = await start({ headersTimeout: '200ms', bodyTimeout: '1s' });
    const startedMs = Date.now();
    const partial = await rawConnect(receiver.url);
    partial.write('POST /v1/traces HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: app');
    trickle(partial, 50, () => 'l');
    const silent = await rawConnect(receiver.url);
    const replies = await Promise.all([partial.response, silent.response]);
    const expected = timeoutReply('request not received in time: headers within 200ms, body within 1s');
    expect(replies.map(withoutDate)).toEqual([expected, expected]);
    // Node checks its timers every headersTimeout / 4 here; the bound leaves room for a loaded machine.
    expect(Date.now() - startedMs).toBeLessThan(4000);
    expect(receiver.stats().refused.timeout).toBe(2);
  });

  it('should read a legitimate gzip body sent in pieces above the minimum rate', async () => {
    const { receiver, clock } = await start({ minBodyRate: '1KiB', bodyRateGracePeriod: '100ms' });
    const body = gzipSync(payload(clock.now()));
    const connection = await rawConnect(receiver.url);
    connection.write(
      postHead('/v1/traces', {
        'content-type': PROTOBUF,
        'content-encoding': 'gzip',
        'content-length': body.length,
        connection: 'close',
      }),
    );
    connection.write(body.subarray(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 50));
    connection.write(body.subarray(10));
    const reply = await connection.response;
    expect([reply.status, reply.body]).toEqual([200, '']);
    expect(receiver.stats()).toMatchObject({ spansReceived: 1, refused: { timeout: 0 } });
  });
});
