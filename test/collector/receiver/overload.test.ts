import { type ClientRequest, request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { OtlpReceiver } from '../../../collector/receiver/index.ts';
import { protobufPayload, spansOf } from './otlp-fixtures.ts';
import {
  PROTOBUF,
  post,
  responseOf,
  startTestReceiver,
  statusOf,
  type TestResponse,
} from './receiver-harness.ts';

const MAX_IN_FLIGHT = 4;
/** Two full-size bodies: the admission budget is maxQueuedRequests x maxBodySize = 2048 bytes. */
const BUDGET = { maxQueuedRequests: 2, maxBodySize: '1KiB' };
const open: OtlpReceiver[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((receiver) => receiver.close()));
});

async function start(drainTimeoutMs?: number, limits: object = { maxQueuedRequests: MAX_IN_FLIGHT }) {
  const started = await startTestReceiver(
    { receiver: { ...limits, retryAfter: '3s' } },
    drainTimeoutMs === undefined ? {} : { drainTimeoutMs },
  );
  open.push(started.receiver);
  return started;
}

/** A request whose headers (and all but the last `withheld` bytes of its body) are sent at once; the rest waits for `release()`. */
interface HeldRequest {
  readonly request: ClientRequest;
  readonly response: Promise<TestResponse>;
  release(): void;
}

function hold(url: string, body: Uint8Array, withheld = body.length, chunked = false): HeldRequest {
  const request = httpRequest(new URL('/v1/traces', url), {
    method: 'POST',
    headers: { 'content-type': PROTOBUF, ...(chunked ? {} : { 'content-length': String(body.length) }) },
    agent: false,
  });
  const response = responseOf(request);
  const sent = body.length - withheld;
  if (sent > 0) request.write(body.subarray(0, sent));
  else request.flushHeaders();
  return { request, response, release: () => request.end(body.subarray(sent)) };
}

/** Polls `condition` every 5 ms for at most 2 s: waits for real sockets (a bound for loaded machines). */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 2 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function payload(nowMs: number, name = 'op') {
  const attributes = { 'headroom.budget.context': 'routine' };
  return protobufPayload(spansOf({}, [{ name, startMs: nowMs - 20, endMs: nowMs - 1, attributes }]));
}

describe('OTLP/HTTP receiver under overload', () => {
  it('should refuse with 429 and Retry-After the body that would pass maxQueuedRequests x maxBodySize, then recover', async () => {
    const { receiver, clock } = await start(undefined, BUDGET);
    const body = payload(clock.now(), 'op'.padEnd(700, '-'));
    expect(body.length).toBeGreaterThan(700);
    // Two bodies held but for their last byte: 2 x (length - 1) of the 2048 bytes.
    const held = [hold(receiver.url, body, 1), hold(receiver.url, body, 1)];
    await until(() => receiver.stats().bufferedBodyBytes === 2 * (body.length - 1));

    // Declared too large for what is left: refused on the headers.
    const onHeaders = await post(receiver.url, PROTOBUF, body);
    // No length declared: refused when its bytes arrive.
    const chunked = hold(receiver.url, body, 0, true);
    const midBody = await chunked.response;
    for (const refused of [onHeaders, midBody]) {
      expect([refused.status, refused.headers['retry-after'], refused.headers.connection]).toEqual([
        429,
        '3',
        'close',
      ]);
      expect(statusOf(refused)).toEqual({
        code: 8,
        message: 'too many request bytes in flight: retry later',
      });
    }
    expect(receiver.stats()).toMatchObject({ inFlight: 2, spansReceived: 0, refused: { queue_full: 2 } });

    for (const request of held) request.release();
    expect((await Promise.all(held.map((request) => request.response))).map((r) => r.status)).toEqual([
      200, 200,
    ]);
    expect((await post(receiver.url, PROTOBUF, body)).status).toBe(200);
    expect(receiver.stats()).toMatchObject({ inFlight: 0, bufferedBodyBytes: 0, spansReceived: 3 });
  });

  it('should admit any number of requests whose bodies have not arrived, as they hold no bytes', async () => {
    const { receiver, clock } = await start(undefined, BUDGET);
    const body = payload(clock.now());
    const held = Array.from({ length: 10 }, () => hold(receiver.url, body));
    await until(() => receiver.stats().inFlight === 10);
    expect((await post(receiver.url, PROTOBUF, body)).status).toBe(200);
    for (const request of held) request.release();
    expect((await Promise.all(held.map((request) => request.response))).map((r) => r.status)).toEqual(
      new Array(10).fill(200),
    );
    expect(receiver.stats()).toMatchObject({ inFlight: 0, spansReceived: 11, refused: { queue_full: 0 } });
  });

  it('should let requests in flight finish before close resolves', async () => {
    // A drain timeout within the body's grace period (2 s): the body deadline does not end it first.
    const { receiver, clock } = await start(1000);
    const body = payload(clock.now());
    const held = hold(receiver.url, body);
    await until(() => receiver.stats().inFlight === 1);
    let closed = false;
    const closing = receiver.close().then(() => {
      closed = true;
    });
    await clock.advanceAsync(999);
    expect(closed).toBe(false);
    held.release();
    expect((await held.response).status).toBe(200);
    await closing;
    expect(receiver.stats()).toMatchObject({ inFlight: 0, spansReceived: 1 });
  });

  it('should cut off a request that never finishes once the drain timeout passes', async () => {
    const { receiver, clock } = await start(100);
    const held = hold(receiver.url, payload(clock.now()));
    const failed = held.response.then(
      () => 'answered',
      (error: Error) => error.message,
    );
    await until(() => receiver.stats().inFlight === 1);
    let closed = false;
    const closing = receiver.close().then(() => {
      closed = true;
    });
    await clock.advanceAsync(99);
    expect(closed).toBe(false);
    await clock.advanceAsync(1);
    await closing;
    expect(await failed).toBe('socket hang up');
    expect(receiver.stats().inFlight).toBe(0);
  });
});
