// The OTLP/gRPC listener's life: off when `receiver.grpc.enabled` is false, draining a call in
// flight on close within the drain bound and cutting it past the bound (ManualClock), calls per
// connection, a shared request budget full of HTTP bodies, and an unexpected failure answered INTERNAL.
import { request as httpRequest } from 'node:http';
import { connect, type Settings } from 'node:http2';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { OtlpReceiver } from '../../../collector/receiver/index.ts';
import type { HeadroomConfigInput } from '../../../config/index.ts';
import { startTestCollector } from '../../helpers/collector.ts';
import { freePort } from '../../helpers/free-port.ts';
import { exportCall } from './grpc-client.ts';
import { partialCall } from './grpc-partial-call.ts';
import { rawRequest } from './otlp-fixtures.ts';
import { PROTOBUF, startTestReceiver, type TestReceiverOptions } from './receiver-harness.ts';

const RESOURCE_EXHAUSTED = 8;
const INTERNAL = 13;
const DRAIN_MS = 5000;

const open: OtlpReceiver[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((receiver) => receiver.close()));
});

async function start(receiver: HeadroomConfigInput['receiver'] = {}, options: TestReceiverOptions = {}) {
  const started = await startTestReceiver(
    { receiver: { grpc: { port: 0 }, ...receiver } },
    { drainTimeoutMs: DRAIN_MS, ...options },
  );
  open.push(started.receiver);
  return { ...started, address: started.receiver.grpcAddress ?? '' };
}

/** `count` `quote` spans (emergency, 30 ms) of checkout, ending 10 ms before `nowMs`. */
function traces(nowMs: number, count = 1) {
  const span = { name: 'quote', startMs: nowMs - 40, endMs: nowMs - 10 };
  return rawRequest([{ service: 'checkout', spans: Array.from({ length: count }, () => span) }]);
}

/** Whether `port` on 127.0.0.1 can be listened on now. */
async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  return listening;
}

describe('OTLP/gRPC listener life', () => {
  it('should not listen, log or take its port with receiver.grpc.enabled: false', async () => {
    const port = await freePort();
    const { collector, log } = await startTestCollector([
      `receiver: { port: 0, grpc: { enabled: false, port: ${port} } }`,
      'api: { enabled: false }',
      'exporters: { prometheus: { enabled: false } }',
    ]);
    try {
      expect(collector.receiver.grpcAddress).toBeUndefined();
      expect(log.messages().filter((message) => message.includes('gRPC'))).toEqual([]);
      expect(await isFree(port)).toBe(true);
    } finally {
      await collector.shutdown(2000);
    }
  });

  it('should let a call in flight finish when closing, and stop listening', async () => {
    const { receiver, address, clock } = await start();
    const message = traces(clock.now(), 3);
    const call = await partialCall(address, message, 10);
    const closed = receiver.close();
    call.finish();
    expect(await call.ended).toEqual({ grpcStatus: 0 });
    await closed;
    expect(receiver.stats()).toMatchObject({ spansReceived: 3, inFlight: 0 });
    const port = Number(address.split(':')[1]);
    expect(await isFree(port)).toBe(true);
  });

  it('should cut a call still in flight once the drain bound has passed', async () => {
    const { receiver, address, clock } = await start();
    const call = await partialCall(address, traces(clock.now(), 3), 10);
    let done = false;
    const closed = receiver.close().then(() => {
      done = true;
    });
    await clock.advanceAsync(DRAIN_MS - 1);
    expect(done).toBe(false);
    await clock.advanceAsync(1);
    expect(await call.ended).toEqual({ cut: true });
    await closed;
    expect(receiver.stats().spansReceived).toBe(0);
  });

  it('should let one connection have at most maxQueuedRequests calls open at once', async () => {
    const { address } = await start({ maxQueuedRequests: 3 });
    const session = connect(`http://${address}`);
    const settings = await new Promise<Settings>((resolve) => session.once('remoteSettings', resolve));
    session.close();
    expect(settings.maxConcurrentStreams).toBe(3);
  });

  it('should answer RESOURCE_EXHAUSTED with RetryInfo while HTTP bodies hold the request budget', async () => {
    const { receiver, address, clock } = await start({
      maxQueuedRequests: 1,
      maxBodySize: '1KiB',
      retryAfter: '3s',
    });
    const held = httpRequest(new URL('/v1/traces', receiver.url), {
      method: 'POST',
      headers: { 'content-type': PROTOBUF, 'content-length': '1024' },
      agent: false,
    });
    held.on('error', () => {}); // cut when the receiver closes
    held.write(Buffer.alloc(1000));
    await until(() => receiver.stats().bufferedBodyBytes === 1000);
    expect(await exportCall(address, traces(clock.now()))).toMatchObject({
      code: RESOURCE_EXHAUSTED,
      retryDelayMs: 3000,
    });
    expect(receiver.stats().refused.queue_full).toBe(1);
    held.destroy();
  });

  it('should answer INTERNAL when something fails unexpectedly, and keep serving', async () => {
    let failing = true;
    const heapUsedBytes = (): number => {
      if (failing) throw new Error('heap reading failed');
      return 0;
    };
    const { receiver, address, clock } = await start({}, { heapUsedBytes });
    expect(await exportCall(address, traces(clock.now()))).toEqual({
      code: INTERNAL,
      details: 'internal error: see the collector log',
      retryDelayMs: undefined,
    });
    failing = false;
    expect(await exportCall(address, traces(clock.now()))).toMatchObject({ code: 0 });
    expect(receiver.stats()).toMatchObject({ requests: 2, spansReceived: 1 });
  });
});

/** Polls `condition` every 5 ms for at most 2 s: waits for real sockets (a bound for loaded machines). */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 2 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
