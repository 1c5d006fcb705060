import { type ClientRequest, request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { OtlpReceiver } from '../../../../agent/collector/receiver/index.ts';
import { protobufPayload, spansOf } from './otlp-fixtures.ts';
import { PROTOBUF, post, startTestReceiver, statusOf, type TestResponse } from './receiver-harness.ts';

const MAX_IN_FLIGHT = 4;
const open: OtlpReceiver[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((receiver) => receiver.close()));
});

async function start(drainTimeoutMs?: number) {
  const started = await startTestReceiver(
    { receiver: { maxQueuedRequests: MAX_IN_FLIGHT, retryAfter: '3s' } },
    drainTimeoutMs === undefined ? {} : { drainTimeoutMs },
  );
  open.push(started.receiver);
  return started;
}

/** A request whose headers are sent at once and whose body waits for `release()`. */
interface HeldRequest {
  readonly request: ClientRequest;
  readonly response: Promise<TestResponse>;
  release(): void;
}

function hold(url: string, body: Uint8Array): HeldRequest {
  const request = httpRequest(new URL('/v1/traces', url), {
    method: 'POST',
    headers: { 'content-type': PROTOBUF, 'content-length': String(body.length) },
    agent: false,
  });
  const response = new Promise<TestResponse>((resolve, reject) => {
    request.on('error', reject);
    request.on('response', (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () =>
        resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks) }),
      );
    });
  });
  request.flushHeaders();
  return { request, response, release: () => request.end(body) };
}

/** Polls `condition` every 5 ms for at most 2 s. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 2 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function payload(nowMs: number) {
  const attributes = { 'headroom.budget.context': 'routine' };
  return protobufPayload(spansOf({}, [{ name: 'op', startMs: nowMs - 20, endMs: nowMs - 1, attributes }]));
}

describe('OTLP/HTTP receiver under overload', () => {
  it('should refuse the request past maxQueuedRequests with 429 and Retry-After, then recover', async () => {
    const startedMs = Date.now();
    const { receiver, clock } = await start();
    const body = payload(clock.now());
    const held = Array.from({ length: MAX_IN_FLIGHT }, () => hold(receiver.url, body));
    await until(() => receiver.stats().inFlight === MAX_IN_FLIGHT);

    const refused = await post(receiver.url, PROTOBUF, body);
    expect([refused.status, refused.headers['retry-after'], refused.headers.connection]).toEqual([
      429,
      '3',
      'close',
    ]);
    expect(statusOf(refused)).toEqual({ code: 8, message: 'too many requests in flight: retry later' });
    expect(receiver.stats()).toMatchObject({
      inFlight: MAX_IN_FLIGHT,
      spansReceived: 0,
      refused: { queue_full: 1 },
    });

    for (const request of held) request.release();
    expect((await Promise.all(held.map((request) => request.response))).map((r) => r.status)).toEqual(
      new Array(MAX_IN_FLIGHT).fill(200),
    );
    expect((await post(receiver.url, PROTOBUF, body)).status).toBe(200);
    expect(receiver.stats()).toMatchObject({ inFlight: 0, spansReceived: MAX_IN_FLIGHT + 1 });
    expect(Date.now() - startedMs).toBeLessThan(5000);
  });

  it('should let requests in flight finish before close resolves', async () => {
    const { receiver, clock } = await start();
    const body = payload(clock.now());
    const held = hold(receiver.url, body);
    await until(() => receiver.stats().inFlight === 1);
    let closed = false;
    const closing = receiver.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
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
    const startedMs = Date.now();
    await receiver.close();
    expect(Date.now() - startedMs).toBeLessThan(1000);
    expect(await failed).toBe('socket hang up');
    expect(receiver.stats().inFlight).toBe(0);
  });
});
