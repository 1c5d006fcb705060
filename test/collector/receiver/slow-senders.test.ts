/**
 * Slow senders over real sockets (issue 9, fault 7): bodies that trickle, bodies that take too long,
 * headers that never end. Each is answered 408 within its configured bound and counted, and none of
 * them keeps a legitimate client out while it lasts. The body deadlines run on the agent's manual
 * clock, which the tests advance (the trickles too); only the header timeout is Node's own and runs
 * on real time, configured small so the test is quick.
 */
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { ManualClock, TimerHandle } from '../../../agent/index.ts';
import type { OtlpReceiver } from '../../../collector/receiver/index.ts';
import { postHead, type RawConnection, type RawResponse, rawConnect } from '../../helpers/raw-http.ts';
import { protobufPayload, spansOf } from './otlp-fixtures.ts';
import { PROTOBUF, post, startTestReceiver } from './receiver-harness.ts';

const open: OtlpReceiver[] = [];
const timers: (NodeJS.Timeout | TimerHandle)[] = [];

afterEach(async () => {
  for (const timer of timers.splice(0)) {
    if ('cancel' in timer) timer.cancel();
    else clearInterval(timer);
  }
  await Promise.all(open.splice(0).map((receiver) => receiver.close()));
});

async function start(receiver: Record<string, unknown>) {
  const started = await startTestReceiver({
    receiver: { maxQueuedRequests: 4, bodyTimeout: '5s', headersTimeout: '5s', ...receiver },
  });
  open.push(started.receiver);
  return started;
}

/** Polls `condition` every 5 ms for at most 10 s: waits for real sockets (a bound for loaded machines). */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Writes `next()` every `everyMs` of `clock` until the connection closes. */
function trickle(
  connection: RawConnection,
  everyMs: number,
  next: () => string | Uint8Array,
  clock: ManualClock,
): void {
  timers.push(clock.every(everyMs, () => connection.write(next())));
}

type Kind = 'plain' | 'gzip' | 'chunked';

/**
 * A gzip stream to trickle: a valid prefix, so the inflater waits for more rather than failing;
 * of random bytes, so it stays about 1 KB long and never ends within a test.
 */
const GZIP_BODY = gzipSync(randomBytes(1000));

/** Headers then one body byte (a chunk of one byte when chunked), then one more every `everyMs` of `clock`. */
async function slowSender(
  url: string,
  kind: Kind,
  everyMs: number,
  clock: ManualClock,
): Promise<RawConnection> {
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
  trickle(connection, everyMs, byte[kind], clock);
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
    const { receiver, clock } = await start({ minBodyRate: '1KiB', bodyRateGracePeriod: '3s' });
    const kinds: Kind[] = ['plain', 'gzip', 'chunked'];
    const attackers = await Promise.all(
      Array.from({ length: 80 }, (_, i) => slowSender(receiver.url, kinds[i % 3] as Kind, 50, clock)),
    );
    await until(() => receiver.stats().inFlight === 80);

    // 80 requests in flight with maxQueuedRequests 4: they hold connections, not the admission budget.
    const during = receiver.stats();
    const legitimate = await post(receiver.url, PROTOBUF, payload(clock.now()));
    expect([during.inFlight, during.refused.timeout, legitimate.status, legitimate.body.length]).toEqual([
      80, 0, 200, 0,
    ]);

    // Each is cut at the end of its grace period, not before.
    await clock.advanceAsync(2999);
    expect(receiver.stats()).toMatchObject({ inFlight: 80, refused: { timeout: 0 } });
    await clock.advanceAsync(1);
    const replies = await Promise.all(attackers.map((attacker) => attacker.response));
    const expected = timeoutReply('request body arrived slower than 1024 bytes per second');
    expect(replies.map(withoutDate)).toEqual(new Array(80).fill(expected));
    expect(receiver.stats()).toMatchObject({
      inFlight: 0,
      spansReceived: 1,
      refused: { timeout: 80, queue_full: 0 },
    });
  });

  it('should answer 408 to a body that keeps the minimum rate but passes bodyTimeout', async () => {
    const { receiver, clock } = await start({
      bodyTimeout: '400ms',
      minBodyRate: '1B',
      bodyRateGracePeriod: '100ms',
    });
    const sender = await slowSender(receiver.url, 'plain', 20, clock);
    await until(() => receiver.stats().inFlight === 1);
    await clock.advanceAsync(399);
    expect(receiver.stats()).toMatchObject({ inFlight: 1, refused: { timeout: 0 } });
    await clock.advanceAsync(1);
    const reply = await sender.response;
    expect(withoutDate(reply)).toEqual(timeoutReply('request body not received within 400ms'));
    expect(receiver.stats().refused.timeout).toBe(1);
  });

  it('should answer 408 to headers that never end, and to a connection that sends nothing, within headersTimeout', async () => {
    const { receiver } = await start({ headersTimeout: '200ms', bodyTimeout: '1s' });
    const startedMs = Date.now();
    const partial = await rawConnect(receiver.url);
    partial.write('POST /v1/traces HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: app');
    // Real time: headersTimeout is Node's own timer, which no clock of ours drives.
    timers.push(setInterval(() => partial.write('l'), 50));
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
    await clock.advanceAsync(50);
    connection.write(body.subarray(10));
    const reply = await connection.response;
    expect([reply.status, reply.body]).toEqual([200, '']);
    expect(receiver.stats()).toMatchObject({ spansReceived: 1, refused: { timeout: 0 } });
  });
});
