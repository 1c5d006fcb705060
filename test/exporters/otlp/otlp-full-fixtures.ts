/**
 * OTLP requests that use every field the official JS serializers write: spans from a real
 * `TracerProvider` (a remote parent with trace state, events, links, every attribute value type
 * incl. nested arrays, key-value lists, bytes and an empty value, error status, dropped counts) and
 * metrics from a real `MeterProvider` (int and double sums, monotonic or not, gauges, explicit and
 * exponential histograms, cumulative and delta), each serialized by
 * `@opentelemetry/otlp-transformer` as JSON and as protobuf; plus the full-schema decoding the
 * tests compare them with.
 */
import {
  type Attributes,
  context,
  createTraceState,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
  ValueType,
} from '@opentelemetry/api';
import {
  JsonMetricsSerializer,
  JsonTraceSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  type AggregationTemporality,
  AggregationType,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { OTLP_MESSAGES, otlpRoot } from '../../../exporters/otlp/otlp-proto-definitions.ts';

/** Every AnyValue kind the SDK takes, nested. */
const ALL_VALUE_TYPES = {
  string: 'é€😀',
  int: 42,
  negative: -7,
  big: 2 ** 53 - 1,
  double: 1.5,
  bool: false,
  strings: ['a', 'b'],
  ints: [1, -2],
  mixed: ['x', 1, true, 2.5],
  nested: [[1], ['y']],
  holes: ['x', null],
  kvlist: { c: 'd', e: [true], f: { g: 1 } },
  bytes: new Uint8Array([0, 1, 2, 255]),
  empty: '',
} as unknown as Attributes;

const resource = resourceFromAttributes({ 'service.name': 'checkout', 'service.namespace': 'shop' });

/** Finished spans using every span field: a server span under a remote parent, and a linked local one. */
export function richSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource,
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    spanLimits: {
      attributeCountLimit: 14,
      eventCountLimit: 2,
      attributePerEventCountLimit: 1,
      attributePerLinkCountLimit: 1,
    },
  });
  const tracer = provider.getTracer('fixture-scope', '2.0.0');
  const local = tracer.startSpan('local', { kind: SpanKind.INTERNAL, startTime: 1_700_000_000_000 });
  local.end(1_700_000_000_250);
  const remote = trace.setSpanContext(context.active(), {
    traceId: '5B8EFFF798038103D269B633813FC60C'.toLowerCase(),
    spanId: 'eee19b7ec3c1b174',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: createTraceState('vendor=a,other=b'),
  });
  const server = tracer.startSpan(
    'GET /quote',
    {
      kind: SpanKind.SERVER,
      startTime: [1_700_000_001, 123_456_789],
      attributes: ALL_VALUE_TYPES,
      links: [{ context: local.spanContext(), attributes: { 'link.kind': 'follows', weight: 0.5 } }],
    },
    remote,
  );
  server.setAttribute('over.the.limit', 1);
  server.addEvent('evicted.by.limit', {}, [1_700_000_001, 100_000_000]);
  server.addEvent('cache.miss', { key: 'quote:1', size: 12 }, [1_700_000_001, 200_000_000]);
  server.addEvent('retry', [1_700_000_001, 300_000_000]);
  server.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream timeout' });
  server.end([1_700_000_002, 987_654_321]);
  return exporter.getFinishedSpans();
}

class PullReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** Collected metrics of every type the JS SDK produces, `temporality` for all of them. */
export async function richMetrics(temporality: AggregationTemporality): Promise<ResourceMetrics> {
  const reader = new PullReader({ aggregationTemporalitySelector: () => temporality });
  const provider = new MeterProvider({
    resource,
    readers: [reader],
    views: [{ instrumentName: 'latency.exp', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
  const meter = provider.getMeter('fixture-meter', '3.0.0', {
    schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
  });
  meter
    .createCounter('requests', {
      description: 'Requests served.',
      unit: '{request}',
      valueType: ValueType.INT,
    })
    .add(3, { route: '/a' });
  meter.createUpDownCounter('inflight', { valueType: ValueType.DOUBLE }).add(-1.25, { pool: 'db' });
  meter.createGauge('level', { unit: '1', valueType: ValueType.INT }).record(-2, { tenant: 't' });
  meter.createGauge('ratio').record(0.125);
  const latency = meter.createHistogram('latency', { unit: 's' });
  for (const value of [0, 0.004, 0.2, 7.5, 1e9]) latency.record(value, { op: 'quote' });
  const exponential = meter.createHistogram('latency.exp', { unit: 'ms' });
  for (const value of [0, 0.5, 1, 3, 1000, 123456.789]) exponential.record(value);
  meter
    .createObservableCounter('cpu.time', { valueType: ValueType.INT })
    .addCallback((result) => result.observe(2 ** 40, { cpu: 0 }));
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  return resourceMetrics;
}

/** A request as the official serializers write it, JSON and protobuf. */
export interface SerializedPair {
  readonly json: Uint8Array;
  readonly protobuf: Uint8Array;
}

export function serializeSpans(spans: ReadableSpan[]): SerializedPair {
  return {
    json: defined(JsonTraceSerializer.serializeRequest(spans)),
    protobuf: defined(ProtobufTraceSerializer.serializeRequest(spans)),
  };
}

export function serializeMetrics(metrics: ResourceMetrics): SerializedPair {
  return {
    json: defined(JsonMetricsSerializer.serializeRequest(metrics)),
    protobuf: defined(ProtobufMetricsSerializer.serializeRequest(metrics)),
  };
}

function defined(bytes: Uint8Array | undefined): Uint8Array {
  if (bytes === undefined) throw new Error('the official serializer returned nothing');
  return bytes;
}

/**
 * A binary Export request of `signal` decoded with the complete OTLP definitions, as a plain object
 * (64-bit integers as decimal strings, bytes in hex) two requests can be compared by.
 */
export function decodeFull(signal: 'traces' | 'metrics', body: Uint8Array): Record<string, unknown> {
  const type = otlpRoot().lookupType(OTLP_MESSAGES[signal].request);
  return hexBytes(type.toObject(type.decode(body), { longs: String, oneofs: true })) as Record<
    string,
    unknown
  >;
}

function hexBytes(value: unknown): unknown {
  if (value instanceof Uint8Array) return `hex:${Buffer.from(value).toString('hex')}`;
  if (Array.isArray(value)) return value.map(hexBytes);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, hexBytes(inner)]));
  return value;
}
