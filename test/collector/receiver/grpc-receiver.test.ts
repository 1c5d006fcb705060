import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OtlpReceiver } from '../../../collector/receiver/index.ts';
import type { HeadroomConfigInput } from '../../../config/index.ts';
import { exportCall, METRICS_PATH } from './grpc-client.ts';
import { metricsProtobuf, SAMPLE_DATA_POINTS, sampleMetrics } from './metrics-fixtures.ts';
import { rawRequest } from './otlp-fixtures.ts';
import { startTestReceiver, type TestReceiverOptions } from './receiver-harness.ts';

const OK = 0;
const INVALID_ARGUMENT = 3;
const PERMISSION_DENIED = 7;
const RESOURCE_EXHAUSTED = 8;
const UNAVAILABLE = 14;
const UNAUTHENTICATED = 16;
const TOKEN_A = 'tenant-a-sender-0123456789';

const open: OtlpReceiver[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((receiver) => receiver.close()));
});

async function start(receiver: HeadroomConfigInput['receiver'] = {}, options: TestReceiverOptions = {}) {
  const started = await startTestReceiver({ receiver: { grpc: { port: 0 }, ...receiver } }, options);
  open.push(started.receiver);
  const address = started.receiver.grpcAddress;
  if (address === undefined) throw new Error('no gRPC listener');
  return { ...started, address };
}

/** `count` `quote` spans (emergency, 30 ms) of `service`, ending 10 ms before `nowMs`. */
function traces(
  nowMs: number,
  count = 1,
  resource: { service: string; namespace?: string } = { service: 'checkout' },
) {
  const span = {
    name: 'quote',
    startMs: nowMs - 40,
    endMs: nowMs - 10,
    attributes: { 'headroom.budget.context': 'emergency' },
  };
  return rawRequest([{ ...resource, spans: Array.from({ length: count }, () => span) }]);
}

describe('OTLP/gRPC receiver', () => {
  it('should take TraceService/Export, plain and gzipped, into the same counters as HTTP', async () => {
    const { receiver, address, clock } = await start();
    expect(await exportCall(address, traces(clock.now(), 3))).toEqual({
      code: OK,
      response: Buffer.alloc(0),
    });
    expect(await exportCall(address, traces(clock.now(), 2), { gzip: true })).toEqual({
      code: OK,
      response: Buffer.alloc(0),
    });
    expect(receiver.stats()).toMatchObject({ requests: 2, spansReceived: 5, spansRejected: 0, inFlight: 0 });
  });

  it('should take MetricsService/Export and count its data points', async () => {
    const { receiver, address } = await start();
    const outcome = await exportCall(address, metricsProtobuf(await sampleMetrics()), { path: METRICS_PATH });
    expect(outcome).toEqual({ code: OK, response: Buffer.alloc(0) });
    expect(receiver.stats().dataPointsReceived).toBe(SAMPLE_DATA_POINTS);
  });

  it('should answer a malformed message INVALID_ARGUMENT, record nothing and keep serving', async () => {
    const { receiver, address, clock } = await start();
    const bad = await exportCall(address, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f]));
    expect(bad).toMatchObject({ code: INVALID_ARGUMENT, retryDelayMs: undefined });
    expect(await exportCall(address, traces(clock.now()))).toMatchObject({ code: OK });
    expect(receiver.stats()).toMatchObject({ spansReceived: 1 });
    expect(receiver.stats().refused.bad_request).toBe(1);
  });

  it('should refuse a message past maxBodySize with RESOURCE_EXHAUSTED and no RetryInfo', async () => {
    const { receiver, address, clock } = await start({ maxBodySize: '1KiB' });
    const outcome = await exportCall(address, traces(clock.now(), 100));
    expect(outcome).toMatchObject({ code: RESOURCE_EXHAUSTED, retryDelayMs: undefined });
    expect(receiver.stats().spansReceived).toBe(0);
  });

  it('should refuse a gzipped message that inflates past maxBodySize, without inflating it whole', async () => {
    const { receiver, address, clock } = await start({ maxBodySize: '1KiB' });
    const message = traces(clock.now(), 1000);
    const outcome = await exportCall(address, message, { gzip: true });
    expect(outcome).toMatchObject({ code: RESOURCE_EXHAUSTED, retryDelayMs: undefined });
    expect(outcome).toHaveProperty(
      'details',
      'Received message that decompresses to a size larger than 1024',
    );
    expect(receiver.stats().spansReceived).toBe(0);
  });

  it('should answer UNAVAILABLE with RetryInfo when memory is short', async () => {
    const { receiver, address, clock } = await start(
      { maxMemory: '1MiB', retryAfter: '2500ms' },
      { heapUsedBytes: () => 2 * 1024 * 1024 },
    );
    expect(await exportCall(address, traces(clock.now()))).toMatchObject({
      code: UNAVAILABLE,
      retryDelayMs: 2500,
    });
    expect(receiver.stats().refused.memory).toBe(1);
  });

  it('should authenticate with authorization metadata and bind the sender to its namespace', async () => {
    const tokens = [{ name: 'tenant-a', token: TOKEN_A, namespace: 'a' }];
    const { receiver, address, clock } = await start({ tokens });
    expect(await exportCall(address, traces(clock.now()))).toMatchObject({ code: UNAUTHENTICATED });
    const other = traces(clock.now(), 1, { service: 'checkout', namespace: 'b' });
    expect(await exportCall(address, other, { authorization: `Bearer ${TOKEN_A}` })).toMatchObject({
      code: PERMISSION_DENIED,
    });
    const own = traces(clock.now(), 1, { service: 'checkout', namespace: 'a' });
    expect(await exportCall(address, own, { authorization: `Bearer ${TOKEN_A}` })).toMatchObject({
      code: OK,
    });
    expect(receiver.stats()).toMatchObject({ spansReceived: 1 });
    expect(receiver.stats().refused).toMatchObject({ unauthorized: 1, forbidden: 1 });
  });

  it('should answer UNAVAILABLE with RetryInfo when the pass-through cannot keep the message', async () => {
    const onTraces = vi.fn(() => 'unavailable' as const);
    const { receiver, address, clock } = await start({}, { onTraces });
    expect(await exportCall(address, traces(clock.now()))).toMatchObject({
      code: UNAVAILABLE,
      retryDelayMs: 1000,
    });
    expect(receiver.stats().refused.storage).toBe(1);
    expect(receiver.stats().spansReceived).toBe(0);
  });
});
