import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  JsonMetricsSerializer,
  JsonTraceSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { decodeOtlpRequest, receivedMetrics, receivedSpans } from './otlp-request-decoder.ts';

const resource = resourceFromAttributes({ 'service.name': 'checkout', 'service.instance.id': 'i-1' });

function finishedSpans() {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('headroom-otel', '0.1.0');
  const attributes = {
    s: 'x',
    i: 50,
    n: -3,
    big: 2 ** 40,
    d: 1.5,
    b: true,
    list: ['a', 'b'],
    nums: [1, 2.5],
  };
  const parent = tracer.startSpan('parent');
  const child = tracer.startSpan('child', { attributes }, trace.setSpan(context.active(), parent));
  child.addEvent('headroom.degradation.decision', { from: 'NONE', to: 'SEVERE' });
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
  child.end();
  parent.end();
  return exporter.getFinishedSpans();
}

class CollectingReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

async function collectedMetrics() {
  const reader = new CollectingReader();
  const provider = new MeterProvider({ resource, readers: [reader] });
  const meter = provider.getMeter('headroom-otel');
  meter.createCounter('headroom_operations_total').add(3, { context: 'emergency' });
  meter.createGauge('headroom_level', { unit: '1' }).record(-2);
  meter.createHistogram('headroom_duration_seconds', { unit: 's' }).record(0.04, { op: 'quote' });
  meter.createUpDownCounter('headroom_inflight').add(1.5);
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics;
}

describe('decodeOtlpRequest', () => {
  it('should decode protobuf trace requests exactly as the official JSON serializer writes them', () => {
    const spans = finishedSpans();
    const fromProto = receivedSpans(
      decodeOtlpRequest(
        'traces',
        Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!),
        'application/x-protobuf',
      ),
    );
    const fromJson = receivedSpans(
      decodeOtlpRequest(
        'traces',
        Buffer.from(JsonTraceSerializer.serializeRequest(spans)!),
        'application/json',
      ),
    );
    expect(fromProto).toEqual(fromJson);
    const child = fromProto.find((s) => s.name === 'child');
    expect(child).toEqual({
      resource: { 'service.name': 'checkout', 'service.instance.id': 'i-1' },
      scope: 'headroom-otel',
      traceId: spans[0]?.spanContext().traceId,
      spanId: spans[0]?.spanContext().spanId,
      parentSpanId: spans[1]?.spanContext().spanId,
      name: 'child',
      attributes: { s: 'x', i: 50, n: -3, big: 2 ** 40, d: 1.5, b: true, list: ['a', 'b'], nums: [1, 2.5] },
      events: [{ name: 'headroom.degradation.decision', attributes: { from: 'NONE', to: 'SEVERE' } }],
      statusCode: 2,
    });
    expect(fromProto.find((s) => s.name === 'parent')?.parentSpanId).toBeUndefined();
  });

  it('should decode protobuf metric requests exactly as the official JSON serializer writes them', async () => {
    const metrics = await collectedMetrics();
    const fromProto = receivedMetrics(
      decodeOtlpRequest(
        'metrics',
        Buffer.from(ProtobufMetricsSerializer.serializeRequest(metrics)!),
        'application/x-protobuf',
      ),
    );
    const fromJson = receivedMetrics(
      decodeOtlpRequest(
        'metrics',
        Buffer.from(JsonMetricsSerializer.serializeRequest(metrics)!),
        'application/json',
      ),
    );
    expect(fromProto).toEqual(fromJson);
    expect(fromProto.map((m) => [m.name, m.unit, m.type, m.temporality, m.points])).toEqual([
      ['headroom_operations_total', '', 'sum', 2, [{ attributes: { context: 'emergency' }, value: 3 }]],
      ['headroom_level', '1', 'gauge', undefined, [{ attributes: {}, value: -2 }]],
      [
        'headroom_duration_seconds',
        's',
        'histogram',
        2,
        [
          {
            attributes: { op: 'quote' },
            value: 1,
            // The SDK's default bounds; packed doubles and fixed64 counts decoded as JSON spells them.
            explicitBounds: [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10_000],
            bucketCounts: [0, 1, ...Array<number>(14).fill(0)],
          },
        ],
      ],
      ['headroom_inflight', '', 'sum', 2, [{ attributes: {}, value: 1.5 }]],
    ]);
  });

  it('should skip fields it does not know and fail loudly on a truncated body', () => {
    const spans = finishedSpans();
    const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
    expect(() =>
      decodeOtlpRequest('traces', body.subarray(0, body.length - 3), 'application/x-protobuf'),
    ).toThrow(/truncated/);
  });
});
