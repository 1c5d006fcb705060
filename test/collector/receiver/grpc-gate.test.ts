// The gate of OTLP/gRPC calls: every call is counted, also those grpc-js refuses before the
// handler runs; a call is authenticated and admitted on its metadata, before its message is
// buffered, reserves maxBodySize of the shared budget and must deliver its message within
// bodyTimeout (ManualClock), so stalled calls on many connections cannot pin memory.

import { connect } from 'node:http2';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { OtlpReceiver } from '../../../collector/receiver/index.ts';
import type { HeadroomConfigInput } from '../../../config/index.ts';
import { exportCall } from './grpc-client.ts';
import { partialCall } from './grpc-partial-call.ts';
import { rawRequest } from './otlp-fixtures.ts';
import { startTestReceiver } from './receiver-harness.ts';

const DEADLINE_EXCEEDED = 4;
const RESOURCE_EXHAUSTED = 8;
const UNIMPLEMENTED = 12;
const UNAUTHENTICATED = 16;
const TOKEN = 'gate-test-token-0123456789abcdef';

const open: OtlpReceiver[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((receiver) => receiver.close()));
});

async function start(receiver: HeadroomConfigInput['receiver'] = {}) {
  const started = await startTestReceiver(
    { receiver: { grpc: { port: 0 }, ...receiver } },
    { drainTimeoutMs: 100 },
  );
  open.push(started.receiver);
  return { ...started, address: started.receiver.grpcAddress ?? '' };
}

function traces(nowMs: number, count = 1) {
  const span = { name: 'quote', startMs: nowMs - 40, endMs: nowMs - 10 };
  return rawRequest([{ service: 'checkout', spans: Array.from({ length: count }, () => span) }]);
}

/** One raw HTTP/2 gRPC call with `headers` and `body` (length prefixes included); its grpc-status. */
async function rawCall(address: string, headers: Record<string, string>, body: Buffer): Promise<number> {
  const session = connect(`http://${address}`);
  session.on('error', () => {});
  const stream = session.request({
    ':method': 'POST',
    ':path': '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    'content-type': 'application/grpc',
    te: 'trailers',
    ...headers,
  });
  let status = -1;
  const collect = (h: Record<string, unknown>) => {
    if (h['grpc-status'] !== undefined) status = Number(h['grpc-status']);
  };
  stream.on('response', collect);
  stream.on('trailers', collect);
  stream.on('error', () => {});
  stream.resume();
  stream.end(body);
  await new Promise((resolve) => stream.on('close', resolve));
  session.close();
  return status;
}

function framed(message: Buffer, compressed = false): Buffer {
  const prefix = Buffer.alloc(5);
  prefix[0] = compressed ? 1 : 0;
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

describe('OTLP/gRPC call gate', () => {
  it('should count every call grpc-js refuses before the handler and give back its reservation', async () => {
    const { receiver, address, clock } = await start({ maxBodySize: '1KiB' });
    expect(await exportCall(address, traces(clock.now(), 100))).toMatchObject({ code: RESOURCE_EXHAUSTED });
    expect(await exportCall(address, traces(clock.now(), 1000), { gzip: true })).toMatchObject({
      code: RESOURCE_EXHAUSTED,
    });
    const bomb = framed(gzipSync(Buffer.alloc(1024 * 1024)), true);
    expect(await rawCall(address, { 'grpc-encoding': 'gzip' }, bomb)).toBe(RESOURCE_EXHAUSTED);
    expect(await rawCall(address, { 'grpc-encoding': 'snappy' }, framed(Buffer.from([1]), true))).toBe(
      UNIMPLEMENTED,
    );
    expect(await rawCall(address, {}, Buffer.alloc(0))).toBe(UNIMPLEMENTED); // no message
    expect(await rawCall(address, { 'grpc-encoding': 'gzip' }, framed(Buffer.from('x'), true))).toBe(13);
    expect(await rawCall(address, { 'grpc-timeout': '1x' }, framed(Buffer.alloc(0)))).toBe(13);
    expect(receiver.stats().transports.grpc.requests).toBe(7);
    await until(() => receiver.stats().bufferedBodyBytes === 0);
  });

  it('should refuse an unauthenticated call on its metadata, before its message arrives', async () => {
    const { receiver, address, clock } = await start({
      tokens: [{ name: 'a', token: TOKEN }],
    });
    const message = traces(clock.now(), 50);
    const call = await partialCall(address, message, 10);
    expect(await call.ended).toEqual({ grpcStatus: UNAUTHENTICATED });
    expect(receiver.stats().transports.grpc.refused.unauthorized).toBe(1);
    expect(receiver.stats().bufferedBodyBytes).toBe(0);
  });

  it('should reserve maxBodySize per call, refuse calls past the budget and cut a stalled call at bodyTimeout', async () => {
    const { receiver, address, clock } = await start({
      maxQueuedRequests: 2,
      maxBodySize: '1KiB',
      bodyTimeout: '10s',
    });
    const message = traces(clock.now());
    const stalled = [await partialCall(address, message, 5), await partialCall(address, message, 5)];
    expect(receiver.stats().bufferedBodyBytes).toBe(2048);
    expect(await exportCall(address, message)).toMatchObject({
      code: RESOURCE_EXHAUSTED,
      retryDelayMs: 1000,
    });
    await clock.advanceAsync(10_000);
    expect(await Promise.all(stalled.map((call) => call.ended))).toEqual([
      { grpcStatus: DEADLINE_EXCEEDED },
      { grpcStatus: DEADLINE_EXCEEDED },
    ]);
    expect(receiver.stats().bufferedBodyBytes).toBe(0);
    expect(await exportCall(address, message)).toMatchObject({ code: 0 });
    expect(receiver.stats().transports.grpc).toEqual({
      requests: 4,
      refused: expect.objectContaining({ queue_full: 1, timeout: 2 }),
    });
    expect(receiver.stats().bufferedBodyBytes).toBe(0);
  });

  it('should give back a reservation when the client goes away mid-message', async () => {
    const { receiver, address, clock } = await start({ maxBodySize: '1KiB' });
    const call = await partialCall(address, traces(clock.now()), 5);
    expect(receiver.stats().bufferedBodyBytes).toBe(1024);
    call.cancel();
    await call.ended;
    await until(() => receiver.stats().bufferedBodyBytes === 0);
    expect(receiver.stats().transports.grpc.refused).toMatchObject({ timeout: 0, bad_request: 0 });
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
