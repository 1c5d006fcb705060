import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { afterEach, describe, expect, it } from 'vitest';
import type { Collector } from '../../app/collector.ts';
import { httpBatch } from '../collector/receiver/otlp-fixtures.ts';
import { startTestCollector } from '../helpers/collector.ts';
import { OtlpGrpcSink } from '../helpers/otlp-grpc-sink.ts';
import { OtlpSink, until } from '../helpers/otlp-sink.ts';
import { otlpJsonTraces } from '../helpers/spans.ts';
import { checkMetrics } from '../integration/helpers/prometheus.ts';

let collector: Collector | undefined;
let sink: OtlpSink | undefined;
afterEach(async () => {
  await collector?.shutdown(2000);
  await sink?.stop();
  collector = sink = undefined;
});

describe('Collector', () => {
  it('should judge received spans per service, forward them, and expose its own metrics cleanly', async () => {
    sink = await OtlpSink.start();
    const started = await startTestCollector([
      'receiver: { port: 0, grpc: { port: 0 } }',
      'api: { port: 0, anonymous: [read] }',
      'exporters:',
      '  prometheus: { port: 0 }',
      `  otlp: { endpoint: "${sink.endpoint}", compression: none }`,
      'rules:',
      '  - { match: { attributes: { http.route: /quote } }, context: emergency, operation: quote }',
    ]);
    collector = started.collector;
    const log = started.log;
    const response = await fetch(`${collector.receiver.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: otlpJsonTraces('pricing', 30, 80),
    });
    expect([response.status, await response.json()]).toEqual([200, {}]);

    const [verdict] = collector.agent.tick().verdicts;
    expect(verdict?.series).toEqual({
      namespace: '',
      service: 'pricing',
      operation: 'quote',
      context: 'emergency',
      phase: '',
    });
    expect(verdict?.status).toBe('violated');
    await until(() => (sink?.spans.length ?? 0) === 30, 5000, 'forwarded spans');

    if (!collector.prometheus?.listening) throw new Error('metrics endpoint not listening');
    const text = await (await fetch(collector.prometheus.url)).text();
    expect(text).toContain('headroom_receiver_spans_total 30');
    expect(text).toContain('headroom_forwarder_requests_total{signal="traces"} 1');
    expect(text).toContain('headroom_forwarder_sent_spans_total 30');
    expect(text).toContain('headroom_forwarder_queue_size{signal="traces"} 0');
    expect(text).toContain('headroom_forwarder_queue_capacity{signal="traces"} 2048');
    expect(text).toContain(
      'headroom_operations_total{service="pricing",operation="quote",context="emergency"} 30',
    );
    expect(checkMetrics(text)).toEqual({ status: 0, output: '' });
    expect(log.messages().slice(0, 5)).toEqual([
      expect.stringMatching(/^state restored from \/.+\/data\/headroom\.db: 0 window slots, /),
      expect.stringMatching(/^forwarding queue restored from \/.+\/data\/headroom\.db: 0 spans, /),
      `receiving OTLP/HTTP on ${collector.receiver.url} (POST /v1/traces, /v1/metrics)`,
      `receiving OTLP/gRPC on ${collector.receiver.grpcAddress} (TraceService, MetricsService Export)`,
      'single-tenant: receiver.tokens is empty, so any sender can send for any service.namespace (set receiver.tokens to authenticate senders and bind them to namespaces)',
    ]);
  });
});

describe('Collector with exporters.otlp.protocol: grpc', () => {
  it('should forward over OTLP/gRPC: protobuf as received, OTLP/JSON converted to protobuf', async () => {
    const grpcSink = await OtlpGrpcSink.start();
    try {
      collector = (
        await startTestCollector([
          'receiver: { port: 0, grpc: { port: 0 } }',
          'api: { enabled: false }',
          'exporters:',
          '  prometheus: { enabled: false }',
          `  otlp: { endpoint: "${grpcSink.endpoint}", protocol: grpc, compression: none }`,
        ])
      ).collector;
      const json = otlpJsonTraces('checkout', 3, 5);
      const protobuf = ProtobufTraceSerializer.serializeRequest(httpBatch(2, Date.now()));
      for (const [body, type] of [
        [protobuf, 'application/x-protobuf'],
        [json, 'application/json'],
      ] as const) {
        const reply = await fetch(`${collector.receiver.url}/v1/traces`, {
          method: 'POST',
          headers: { 'content-type': type },
          body,
        });
        expect(reply.status).toBe(200);
      }
      const traces = collector.forwarders.find((f) => f.stats().signal === 'traces');
      await until(() => traces?.stats().sentItems === 5, 5000, 'both requests forwarded');
      expect(grpcSink.calls.map((call) => [call.signal, call.reply])).toEqual([
        ['traces', 0],
        ['traces', 0],
      ]);
      expect(grpcSink.accepted('traces')[0]).toEqual(Buffer.from(protobuf ?? []));
      expect(grpcSink.spans.map((span) => [span.resource['service.name'], span.name])).toEqual([
        ['checkout', 'GET /api/item0'],
        ['checkout', 'GET /api/item1'],
        ['checkout', 'GET /quote'],
        ['checkout', 'GET /quote'],
        ['checkout', 'GET /quote'],
      ]);
    } finally {
      await grpcSink.stop();
    }
  });
});
