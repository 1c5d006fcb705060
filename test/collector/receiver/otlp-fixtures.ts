/**
 * OTLP payloads produced the way real services produce them: spans from a real `TracerProvider`
 * collected by an `InMemorySpanExporter`, serialized by the official `@opentelemetry/otlp-transformer`
 * serializers. Shared by the receiver tests and `bench/ingest.bench.ts`.
 */
import { type Attributes, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { otlpType } from '../../../collector/receiver/otlp-proto-schema.ts';

/** Resource and scope the spans are created under. */
export interface SpanSource {
  /** @default 'checkout' */
  readonly service?: string;
  readonly namespace?: string;
  /** @default 'fixture-scope' */
  readonly scope?: string;
}

/** Finished spans of whatever `create` does with a tracer of a fresh provider. */
function finishedSpans(source: SpanSource, create: (tracer: Tracer) => void): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const attributes: Attributes = { 'service.name': source.service ?? 'checkout' };
  if (source.namespace !== undefined) attributes['service.namespace'] = source.namespace;
  const provider = new TracerProvider({
    resource: resourceFromAttributes(attributes),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  create(provider.getTracer(source.scope ?? 'fixture-scope', '1.0.0'));
  return exporter.getFinishedSpans();
}

/** One span to create: explicit times (ms since the epoch) so durations are exact. */
export interface SpanSpec {
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
  /** @default SpanKind.INTERNAL */
  readonly kind?: SpanKind;
  readonly attributes?: Attributes;
  readonly error?: boolean;
}

/** Finished spans, one per spec, in order. */
export function spansOf(source: SpanSource, specs: readonly SpanSpec[]): ReadableSpan[] {
  return finishedSpans(source, (tracer) => {
    for (const spec of specs) {
      const span = tracer.startSpan(spec.name, {
        kind: spec.kind ?? SpanKind.INTERNAL,
        attributes: spec.attributes ?? {},
        startTime: spec.startMs,
      });
      if (spec.error === true) span.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
      span.end(spec.endMs);
    }
  });
}

/**
 * A realistic batch: `count` HTTP server spans ending at or before `endMs`, with the usual semantic
 * convention attributes, one event each, every other span carrying a Headroom budget context, every
 * tenth one an error. Durations cycle through 5..104 ms.
 */
export function httpBatch(count: number, endMs: number, source: SpanSource = {}): ReadableSpan[] {
  return finishedSpans(source, (tracer) => {
    for (let i = 0; i < count; i++) {
      const route = `/api/item${i % 5}`;
      const attributes: Attributes = {
        'http.request.method': 'GET',
        'http.route': route,
        'url.path': `${route}/${1000 + i}`,
        'http.response.status_code': i % 10 === 0 ? 500 : 200,
        'server.address': 'shop.example.com',
        'server.port': 8080,
        'network.protocol.version': '1.1',
        'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36',
        'app.cache_hit_ratio': 0.75,
        'app.retried': false,
      };
      if (i % 2 === 0) attributes['headroom.budget.context'] = 'routine';
      const finishMs = endMs - (i % 50);
      const span = tracer.startSpan(`GET ${route}`, {
        kind: SpanKind.SERVER,
        attributes,
        startTime: finishMs - (5 + (i % 100)),
      });
      span.addEvent('handler.start', { 'app.stage': 'routing' });
      if (i % 10 === 0) span.setStatus({ code: SpanStatusCode.ERROR, message: 'internal error' });
      span.end(finishMs);
    }
  });
}

/** Binary OTLP (`application/x-protobuf`) as the official serializer writes it. */
export function protobufPayload(spans: ReadableSpan[]): Uint8Array {
  const bytes = ProtobufTraceSerializer.serializeRequest(spans);
  if (bytes === undefined) throw new Error('ProtobufTraceSerializer returned nothing');
  return bytes;
}

/** JSON OTLP (`application/json`) as the official serializer writes it. */
export function jsonPayload(spans: ReadableSpan[]): Uint8Array {
  const bytes = JsonTraceSerializer.serializeRequest(spans);
  if (bytes === undefined) throw new Error('JsonTraceSerializer returned nothing');
  return bytes;
}

/** A span written field by field, for payloads the SDK would never produce (bad ids, bad times). */
export interface RawSpan {
  /** @default 16 bytes 1..16 */
  readonly traceId?: Uint8Array;
  /** @default 8 bytes 1..8 */
  readonly spanId?: Uint8Array;
  /** @default 'op' */
  readonly name?: string;
  /** OTLP kind (SERVER = 2). @default 2 */
  readonly kind?: number;
  /** ms since the epoch; omitted means the field is absent. */
  readonly startMs?: number;
  readonly endMs?: number;
  readonly attributes?: Attributes;
  /** OTLP status code (ERROR = 2). */
  readonly statusCode?: number;
}

/** One resource of a raw request. */
export interface RawResource {
  /** `service.name`; omitted means the resource has none. */
  readonly service?: string;
  readonly namespace?: string;
  /** @default 'raw-scope' */
  readonly scope?: string;
  readonly spans: readonly RawSpan[];
}

const requestType = otlpType('ExportTraceServiceRequest');
const DEFAULT_TRACE_ID = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
const DEFAULT_SPAN_ID = Uint8Array.from({ length: 8 }, (_, i) => i + 1);

/** A binary `ExportTraceServiceRequest` encoded by protobufjs from the OTLP subset schema. */
export function rawRequest(resources: readonly RawResource[]): Uint8Array {
  return requestType
    .encode({
      resourceSpans: resources.map((resource) => ({
        resource: { attributes: keyValues(serviceAttributes(resource)) },
        scopeSpans: [{ scope: { name: resource.scope ?? 'raw-scope' }, spans: resource.spans.map(rawSpan) }],
      })),
    })
    .finish();
}

function serviceAttributes(resource: RawResource): Attributes {
  const attributes: Attributes = {};
  if (resource.service !== undefined) attributes['service.name'] = resource.service;
  if (resource.namespace !== undefined) attributes['service.namespace'] = resource.namespace;
  return attributes;
}

function rawSpan(span: RawSpan) {
  return {
    traceId: span.traceId ?? DEFAULT_TRACE_ID,
    spanId: span.spanId ?? DEFAULT_SPAN_ID,
    name: span.name ?? 'op',
    kind: span.kind ?? 2,
    startTimeUnixNano: span.startMs === undefined ? undefined : nanos(span.startMs),
    endTimeUnixNano: span.endMs === undefined ? undefined : nanos(span.endMs),
    attributes: keyValues(span.attributes ?? {}),
    status: span.statusCode === undefined ? undefined : { code: span.statusCode },
  };
}

function keyValues(attributes: Attributes) {
  return Object.entries(attributes).map(([key, value]) => {
    if (typeof value === 'string') return { key, value: { stringValue: value } };
    if (typeof value === 'boolean') return { key, value: { boolValue: value } };
    if (typeof value === 'number' && Number.isInteger(value)) return { key, value: { intValue: value } };
    if (typeof value === 'number') return { key, value: { doubleValue: value } };
    return {
      key,
      value: { arrayValue: { values: (value as unknown[]).map((v) => ({ stringValue: String(v) })) } },
    };
  });
}

/** ms since the epoch as unix nanoseconds, exactly, in the shape protobufjs writes a fixed64 from. */
function nanos(ms: number): { low: number; high: number; unsigned: true } {
  const value = BigInt(Math.trunc(ms)) * 1_000_000n + BigInt(Math.round((ms % 1) * 1e6));
  return { low: Number(value & 0xffffffffn) | 0, high: Number(value >> 32n) | 0, unsigned: true };
}
