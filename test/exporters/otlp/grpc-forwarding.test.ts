// Forwarding over OTLP/gRPC (`exporters.otlp.protocol: grpc`): OtlpForwarder against a real
// @grpc/grpc-js server. Protobuf passes byte for byte, OTLP/JSON is converted once (before it is
// queued or stored) to protobuf that decodes to the official serializer's message, what cannot be
// converted is dropped and counted, gRPC failures retry or drop as the OTLP spec says, and the
// queue on disk holds protobuf across a restart.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { AggregationTemporality } from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../agent/index.ts';
import { parseConfig } from '../../../config/index.ts';
import { type ForwarderStats, OtlpForwarder } from '../../../exporters/otlp/index.ts';
import { openSqliteStore } from '../../../storage/index.ts';
import { OtlpGrpcSink } from '../../helpers/otlp-grpc-sink.ts';
import { until } from '../../helpers/otlp-sink.ts';
import {
  decodeFull,
  richMetrics,
  richSpans,
  serializeMetrics,
  serializeSpans,
} from './otlp-full-fixtures.ts';

const JSON_TYPE = 'application/json';
const PROTOBUF = 'application/x-protobuf';
const NONE = { queue_full: 0, retries_exhausted: 0, non_retryable: 0, shutdown: 0, unconvertible: 0 };

function grpcConfig(otlp: object = {}) {
  const text = JSON.stringify({
    exporters: { otlp: { protocol: 'grpc', endpoint: sink.endpoint, compression: 'none', ...otlp } },
  });
  return parseConfig([{ file: 'inline.yaml', text }], {}).exporters.otlp;
}

let sink: OtlpGrpcSink;
let clock: ManualClock;
const cleanups: (() => unknown)[] = [];
beforeEach(async () => {
  sink = await OtlpGrpcSink.start();
  clock = new ManualClock();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await sink.stop();
});

async function forwarder(
  signal: 'traces' | 'metrics',
  otlp: object = {},
  options: Parameters<typeof OtlpForwarder.create>[2] = {},
): Promise<OtlpForwarder> {
  const created = await OtlpForwarder.create(grpcConfig(otlp), signal, { clock, ...options });
  cleanups.push(async () => {
    const closing = created.shutdown(100);
    await clock.advanceAsync(100);
    await closing;
  });
  return created;
}

function stats(signal: 'traces' | 'metrics', partial: Partial<ForwarderStats>): ForwarderStats {
  return {
    signal,
    sentItems: 0,
    sentRequests: 0,
    dropped: NONE,
    retries: 0,
    queueSize: 0,
    queueCapacity: 2048,
    queuedBytes: 0,
    keptItems: 0,
    ...partial,
  };
}

describe('OtlpForwarder over OTLP/gRPC', () => {
  it('should pass received protobuf through byte for byte to TraceService/Export, with the headers as metadata', async () => {
    const { protobuf } = serializeSpans(richSpans());
    const traces = await forwarder('traces', { headers: { 'X-Api-Key': 'secret' } });
    expect(traces.forward(protobuf, PROTOBUF, 2)).toBe('queued');
    await until(() => traces.stats().sentItems === 2, 5000, 'delivery');
    expect(sink.calls.map((call) => [call.signal, call.reply, call.metadata['x-api-key']])).toEqual([
      ['traces', 0, 'secret'],
    ]);
    expect(Buffer.compare(sink.accepted('traces')[0] ?? Buffer.alloc(0), protobuf)).toBe(0);
    expect(traces.stats()).toEqual(stats('traces', { sentItems: 2, sentRequests: 1 }));
  });

  it('should convert OTLP/JSON spans and metrics to protobuf that decodes to the official protobuf message', async () => {
    const spans = serializeSpans(richSpans());
    const metrics = serializeMetrics(await richMetrics(AggregationTemporality.CUMULATIVE));
    const [traces, points] = [await forwarder('traces'), await forwarder('metrics')];
    expect(traces.forward(spans.json, JSON_TYPE, 2)).toBe('queued');
    expect(points.forward(metrics.json, JSON_TYPE, 7)).toBe('queued');
    await until(() => traces.stats().sentItems + points.stats().sentItems === 9, 5000, 'delivery');
    expect(sink.accepted('traces').map((body) => decodeFull('traces', body))).toEqual([
      decodeFull('traces', spans.protobuf),
    ]);
    expect(sink.accepted('metrics').map((body) => decodeFull('metrics', body))).toEqual([
      decodeFull('metrics', metrics.protobuf),
    ]);
    expect(traces.stats()).toEqual(stats('traces', { sentItems: 2, sentRequests: 1 }));
    expect(points.stats()).toEqual(stats('metrics', { sentItems: 7, sentRequests: 1 }));
  });

  it('should drop an OTLP/JSON request it cannot convert, count it unconvertible and warn once per run of them', async () => {
    const good = serializeSpans(richSpans()).json;
    const warnings: string[] = [];
    const logger = { warn: (message: string) => warnings.push(message) } as unknown as DiagLogger;
    diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
    cleanups.push(() => diag.disable());
    const traces = await forwarder('traces');
    const bad = Buffer.from(
      JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'xyz' }] }] }] }),
    );
    expect(traces.forward(bad, JSON_TYPE, 1)).toBe('dropped');
    expect(traces.forward(Buffer.from('not json'), JSON_TYPE, 4)).toBe('dropped');
    expect(traces.forward(good, JSON_TYPE, 2)).toBe('queued');
    expect(traces.forward(bad, JSON_TYPE, 1)).toBe('dropped');
    await until(() => traces.stats().sentItems === 2, 5000, 'delivery');
    expect(traces.stats()).toEqual(
      stats('traces', { sentItems: 2, sentRequests: 1, dropped: { ...NONE, unconvertible: 6 } }),
    );
    const detail =
      'unconvertible: the OTLP/JSON request cannot be converted to protobuf for OTLP/gRPC: invalid OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].traceId: expected a hex string';
    expect(warnings).toEqual([
      `headroom: dropped 1 span(s) for OTLP traces forwarding (${detail})`,
      `headroom: dropped 1 span(s) for OTLP traces forwarding (${detail})`,
    ]);
  });

  it('should retry UNAVAILABLE after the backoff and deliver once; drop INVALID_ARGUMENT as non_retryable', async () => {
    const { protobuf } = serializeSpans(richSpans());
    sink.script({ code: status.UNAVAILABLE }, { code: status.INVALID_ARGUMENT });
    const traces = await forwarder('traces', { retry: { initialInterval: '1s', maxInterval: '1s' } });
    traces.forward(protobuf, PROTOBUF, 2);
    // The call is real I/O (a bounded real-time poll); the backoff (0.5 s to 1.5 s) is then the one timer.
    await until(() => clock.pendingTimers === 1, 5000, 'the backoff');
    await clock.advanceAsync(1500);
    await until(() => sink.calls.length === 2, 5000, 'second attempt');
    await until(() => traces.stats().queueSize === 0, 5000, 'settled');
    traces.forward(protobuf, PROTOBUF, 2);
    await until(() => traces.stats().sentItems === 2, 5000, 'third attempt');
    expect(sink.calls.map((call) => call.reply)).toEqual([
      status.UNAVAILABLE,
      status.INVALID_ARGUMENT,
      status.OK,
    ]);
    expect(traces.stats()).toEqual(
      stats('traces', { sentItems: 2, sentRequests: 1, retries: 1, dropped: { ...NONE, non_retryable: 2 } }),
    );
  });
});

describe('OtlpForwarder over OTLP/gRPC with a store', () => {
  const tempPath = () => join(mkdtempSync(join(tmpdir(), 'headroom-grpc-fwd-')), 'state.db');
  const openStore = (path: string) =>
    openSqliteStore({ path, lockTimeoutMs: 0, clock: new ManualClock(0), onWarning: () => {} });

  it('should store OTLP/JSON converted to protobuf and deliver it after a restart', async () => {
    const path = tempPath();
    const spans = serializeSpans(richSpans());
    const first = await openStore(path);
    const before = await forwarder('traces', {}, { store: first.requests, paused: true });
    expect(before.forward(spans.json, JSON_TYPE, 2)).toBe('queued');
    const [stored] = first.requests.list('traces');
    expect([stored?.contentType, stored?.items]).toEqual([PROTOBUF, 2]);
    expect(decodeFull('traces', stored?.body ?? new Uint8Array())).toEqual(
      decodeFull('traces', spans.protobuf),
    );
    await before.shutdown(0);
    expect(before.stats()).toMatchObject({ keptItems: 2, dropped: NONE });
    first.close();

    const second = await openStore(path);
    cleanups.push(() => second.close());
    const after = await forwarder('traces', {}, { store: second.requests, paused: true });
    expect(after.restore()).toEqual({ requests: 1, items: 2, dropped: 0 });
    after.start();
    await until(() => after.stats().sentItems === 2, 5000, 'delivery');
    expect(sink.accepted('traces')).toEqual([Buffer.from(stored?.body ?? [])]);
    expect(second.requests.list('traces')).toEqual([]);
  });

  it('should convert OTLP/JSON a previous HTTP run stored when it restores over gRPC, dropping what cannot be', async () => {
    const store = await openStore(tempPath());
    cleanups.push(() => store.close());
    const metrics = serializeMetrics(await richMetrics(AggregationTemporality.DELTA));
    store.requests.append({ signal: 'metrics', contentType: JSON_TYPE, items: 7, body: metrics.json });
    store.requests.append({
      signal: 'metrics',
      contentType: JSON_TYPE,
      items: 3,
      body: Buffer.from('{"resourceMetrics":1}'),
    });
    store.requests.append({ signal: 'metrics', contentType: PROTOBUF, items: 7, body: metrics.protobuf });
    const points = await forwarder('metrics', {}, { store: store.requests });
    expect(points.restore()).toEqual({ requests: 2, items: 14, dropped: 3 });
    await until(() => points.stats().sentItems === 14, 5000, 'delivery');
    const [converted, passed] = sink.accepted('metrics');
    expect(decodeFull('metrics', converted ?? Buffer.alloc(0))).toEqual(
      decodeFull('metrics', metrics.protobuf),
    );
    expect(Buffer.compare(passed ?? Buffer.alloc(0), metrics.protobuf)).toBe(0);
    expect(points.stats()).toMatchObject({ dropped: { ...NONE, unconvertible: 3 } });
    expect(store.requests.list('metrics')).toEqual([]);
  });
});
