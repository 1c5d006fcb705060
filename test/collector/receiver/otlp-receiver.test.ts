import { gzipSync } from 'node:zlib';
import { SpanKind } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { afterEach, describe, expect, it } from 'vitest';
import type { OtlpReceiver } from '../../../collector/receiver/index.ts';
import { metricsJson, metricsProtobuf, SAMPLE_DATA_POINTS, sampleMetrics } from './metrics-fixtures.ts';
import { jsonPayload, protobufPayload, rawRequest, spansOf } from './otlp-fixtures.ts';
import {
  JSON_TYPE,
  PROTOBUF,
  post,
  send,
  startTestReceiver,
  statusOf,
  type TestReceiverOptions,
} from './receiver-harness.ts';

const config = { receiver: { retryAfter: '2s' } };
const open: OtlpReceiver[] = [];

async function start(options: TestReceiverOptions = {}) {
  const started = await startTestReceiver(config, options);
  open.push(started.receiver);
  return started;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((receiver) => receiver.close()));
});

/** Three spans of `checkout`'s `quote` operation (emergency, 50 ms) ending just before `nowMs`. */
function quoteSpans(nowMs: number) {
  const attributes = { 'headroom.budget.context': 'emergency', 'headroom.operation': 'quote' };
  return spansOf({ service: 'checkout', namespace: 'shop' }, [
    { name: 'quote', kind: SpanKind.SERVER, startMs: nowMs - 40, endMs: nowMs - 10, attributes },
    { name: 'quote', kind: SpanKind.SERVER, startMs: nowMs - 90, endMs: nowMs - 20, attributes, error: true },
    { name: 'quote', kind: SpanKind.SERVER, startMs: nowMs - 35, endMs: nowMs - 30, attributes },
  ]);
}

describe('OTLP/HTTP receiver', () => {
  it('should record protobuf spans and answer an empty ExportTraceServiceResponse', async () => {
    const { receiver, agent, clock, directory } = await start();
    const response = await post(receiver.url, PROTOBUF, protobufPayload(quoteSpans(clock.now())));
    expect([response.status, response.headers['content-type'], response.body.length]).toEqual([
      200,
      PROTOBUF,
      0,
    ]);
    const series = agent.registry.list();
    expect(series.map((s) => [s.service, s.operation, s.context])).toEqual([
      ['checkout', 'quote', 'emergency'],
    ]);
    const snapshot = series[0]!.window.snapshot(clock.now());
    expect([snapshot.count, snapshot.errorCount, snapshot.minMs]).toEqual([3, 1, 5]);
    expect(snapshot.maxMs).toBeCloseTo(70, 0);
    expect(directory.get({ namespace: 'shop', service: 'checkout' })).toEqual({
      service: 'checkout',
      namespace: 'shop',
      lastSeenMs: clock.now(),
    });
    expect(receiver.stats()).toMatchObject({ requests: 1, spansReceived: 3, spansRejected: 0, inFlight: 0 });
    expect(receiver.stats().decodeSecondsTotal).toBeGreaterThan(0);
  });

  it('should accept JSON and gzip and answer in the request content type', async () => {
    const { receiver, clock } = await start();
    const json = await post(receiver.url, JSON_TYPE, jsonPayload(quoteSpans(clock.now())));
    expect([json.status, json.headers['content-type'], json.body.toString()]).toEqual([200, JSON_TYPE, '{}']);
    const gzipped = await send(receiver.url, {
      headers: { 'content-type': PROTOBUF, 'content-encoding': 'gzip' },
      body: gzipSync(protobufPayload(quoteSpans(clock.now()))),
    });
    expect(gzipped.status).toBe(200);
    expect(receiver.stats().spansReceived).toBe(6);
  });

  it('should record the valid spans and report the rejected ones as a partial success', async () => {
    const { receiver, clock } = await start();
    const now = clock.now();
    const body = rawRequest([
      {
        service: 'checkout',
        spans: [
          { startMs: now - 30, endMs: now - 10 },
          { startMs: now - 10, endMs: now - 30 },
          { startMs: now - 30, endMs: now - 10, spanId: new Uint8Array(8) },
          { startMs: now - 30, endMs: now - 10, traceId: new Uint8Array(4).fill(9) },
          { startMs: now - 30 },
        ],
      },
    ]);
    const response = await post(receiver.url, PROTOBUF, body);
    expect(response.status).toBe(200);
    const message =
      'rejected 4 of 5 spans: 2 with an invalid trace or span id, 1 without start or end time, ' +
      '1 with end time before start time';
    expect(ProtobufTraceSerializer.deserializeResponse(response.body)).toEqual({
      partialSuccess: { rejectedSpans: 4, errorMessage: message },
    });
    expect(receiver.stats()).toMatchObject({ spansReceived: 5, spansRejected: 4 });
  });

  it('should report a partial success in JSON with int64 as a decimal string', async () => {
    const { receiver, clock } = await start();
    const now = clock.now();
    const span = { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'x' };
    const json = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                { ...span, startTimeUnixNano: `${now - 5}000000`, endTimeUnixNano: `${now}000000` },
                { ...span, startTimeUnixNano: `${now}000000`, endTimeUnixNano: `${now + 3_600_000}000000` },
              ],
            },
          ],
        },
      ],
    };
    const response = await post(receiver.url, JSON_TYPE, JSON.stringify(json));
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toEqual({
      partialSuccess: {
        rejectedSpans: '1',
        errorMessage:
          "rejected 1 of 2 spans: 1 with end time one window (60s) or more ahead of the collector's clock",
      },
    });
  });

  it('should answer 503 with Retry-After when the heap is above maxMemory, without reading the body', async () => {
    const { receiver, agent } = await start({ heapUsedBytes: () => 600 * 1024 * 1024 });
    const response = await post(receiver.url, PROTOBUF, protobufPayload(quoteSpans(agent.clock.now())));
    expect([response.status, response.headers['retry-after'], response.headers.connection]).toEqual([
      503,
      '2',
      'close',
    ]);
    expect(statusOf(response)).toEqual({ code: 14, message: 'the collector is low on memory: retry later' });
    expect(receiver.stats()).toMatchObject({ spansReceived: 0, refused: { memory: 1 } });
  });

  it('should count metric data points and pass the decompressed request on', async () => {
    const received: [number, string][] = [];
    const { receiver } = await start({
      onMetrics: (body, contentType) => void received.push([body.length, contentType]),
    });
    const metrics = await sampleMetrics();
    const protobufBody = metricsProtobuf(metrics);
    const proto = await send(receiver.url, {
      path: '/v1/metrics',
      headers: { 'content-type': PROTOBUF, 'content-encoding': 'gzip' },
      body: gzipSync(protobufBody),
    });
    const json = await post(receiver.url, JSON_TYPE, metricsJson(metrics), '/v1/metrics');
    expect([proto.status, proto.body.length, json.status, json.body.toString()]).toEqual([200, 0, 200, '{}']);
    expect(received).toEqual([
      [protobufBody.length, PROTOBUF],
      [metricsJson(metrics).length, JSON_TYPE],
    ]);
    expect(receiver.stats().dataPointsReceived).toBe(2 * SAMPLE_DATA_POINTS);
    const bad = await post(receiver.url, JSON_TYPE, '{"resourceMetrics":{}}', '/v1/metrics');
    expect([bad.status, statusOf(bad).message]).toEqual([
      400,
      'invalid OTLP JSON: resourceMetrics: expected an array',
    ]);
  });

  it('should answer success even when a pass-through callback throws or rejects', async () => {
    let calls = 0;
    const { receiver, clock } = await start({
      onTraces: () => {
        calls++;
        if (calls === 1) throw new Error('sync failure');
        return Promise.reject(new Error('async failure'));
      },
    });
    for (let i = 0; i < 2; i++) {
      expect((await post(receiver.url, PROTOBUF, protobufPayload(quoteSpans(clock.now())))).status).toBe(200);
    }
    expect(calls).toBe(2);
  });

  it('should stop listening on close and be idempotent', async () => {
    const { receiver } = await start();
    await Promise.all([receiver.close(), receiver.close()]);
    await expect(send(receiver.url, { method: 'GET' })).rejects.toThrow(/ECONNREFUSED/);
  });
});
