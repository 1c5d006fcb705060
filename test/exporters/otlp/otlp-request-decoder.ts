/**
 * Test support: decodes OTLP/HTTP export requests, protobuf or JSON, into flat records tests can
 * compare whole. `@opentelemetry/otlp-transformer` 0.301 serializes requests but only decodes
 * responses (it has no generated protobuf root any more), so the protobuf side is a small
 * schema-driven wire reader for the fields of opentelemetry/proto/{trace,metrics}/v1; its output
 * is checked against the official JSON serializer in otlp-request-decoder.test.ts.
 */

/** A proto field: JSON name, wire kind (or nested schema), repeated. */
type Field = readonly [name: string, kind: Kind, repeated?: boolean];
type Kind = 'string' | 'hex' | 'varint' | 'int64' | 'bool' | 'fixed64' | 'sfixed64' | 'double' | Schema;
interface Schema {
  readonly [field: number]: Field;
}

const ANY: Record<number, Field> = {};
const KEY_VALUE: Schema = { 1: ['key', 'string'], 2: ['value', ANY] };
Object.assign(ANY, {
  1: ['stringValue', 'string'],
  2: ['boolValue', 'bool'],
  3: ['intValue', 'int64'],
  4: ['doubleValue', 'double'],
  5: ['arrayValue', { 1: ['values', ANY, true] }],
  6: ['kvlistValue', { 1: ['values', KEY_VALUE, true] }],
  7: ['bytesValue', 'hex'],
});
const ATTRIBUTES = (field: number): Schema => ({ [field]: ['attributes', KEY_VALUE, true] });
const RESOURCE: Schema = ATTRIBUTES(1);
const SCOPE: Schema = { 1: ['name', 'string'], 2: ['version', 'string'] };
const SPAN: Schema = {
  1: ['traceId', 'hex'],
  2: ['spanId', 'hex'],
  4: ['parentSpanId', 'hex'],
  5: ['name', 'string'],
  6: ['kind', 'varint'],
  7: ['startTimeUnixNano', 'fixed64'],
  8: ['endTimeUnixNano', 'fixed64'],
  ...ATTRIBUTES(9),
  11: ['events', { 1: ['timeUnixNano', 'fixed64'], 2: ['name', 'string'], ...ATTRIBUTES(3) }, true],
  15: ['status', { 2: ['message', 'string'], 3: ['code', 'varint'] }],
};
const NUMBER_POINT: Schema = {
  ...ATTRIBUTES(7),
  3: ['timeUnixNano', 'fixed64'],
  4: ['asDouble', 'double'],
  6: ['asInt', 'sfixed64'],
};
const HISTOGRAM_POINT: Schema = {
  ...ATTRIBUTES(9),
  4: ['count', 'fixed64'],
  5: ['sum', 'double'],
  6: ['bucketCounts', 'fixed64', true],
  7: ['explicitBounds', 'double', true],
};
const METRIC: Schema = {
  1: ['name', 'string'],
  2: ['description', 'string'],
  3: ['unit', 'string'],
  5: ['gauge', { 1: ['dataPoints', NUMBER_POINT, true] }],
  7: [
    'sum',
    {
      1: ['dataPoints', NUMBER_POINT, true],
      2: ['aggregationTemporality', 'varint'],
      3: ['isMonotonic', 'bool'],
    },
  ],
  9: ['histogram', { 1: ['dataPoints', HISTOGRAM_POINT, true], 2: ['aggregationTemporality', 'varint'] }],
};
const TRACES_REQUEST: Schema = {
  1: [
    'resourceSpans',
    { 1: ['resource', RESOURCE], 2: ['scopeSpans', { 1: ['scope', SCOPE], 2: ['spans', SPAN, true] }, true] },
    true,
  ],
};
const METRICS_REQUEST: Schema = {
  1: [
    'resourceMetrics',
    {
      1: ['resource', RESOURCE],
      2: ['scopeMetrics', { 1: ['scope', SCOPE], 2: ['metrics', METRIC, true] }, true],
    },
    true,
  ],
};

/** A protobuf message as an object shaped like OTLP/JSON (camelCase, hex ids); unknown fields skipped. */
type Decoded = Record<string, unknown>;

class WireReader {
  #pos = 0;
  readonly #buf: Buffer;
  constructor(buf: Buffer) {
    this.#buf = buf;
  }
  get done(): boolean {
    return this.#pos >= this.#buf.length;
  }
  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = this.#buf[this.#pos++];
      if (byte === undefined) throw new Error('truncated varint');
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
    }
  }
  take(length: number): Buffer {
    if (this.#pos + length > this.#buf.length) throw new Error('truncated field');
    this.#pos += length;
    return this.#buf.subarray(this.#pos - length, this.#pos);
  }
}

function scalar(kind: Exclude<Kind, Schema>, wire: number, reader: WireReader): unknown {
  if (wire === 0) {
    const raw = reader.varint();
    if (kind === 'bool') return raw !== 0n;
    return kind === 'int64' ? Number(BigInt.asIntN(64, raw)) : Number(raw);
  }
  if (wire === 1) {
    const bytes = reader.take(8);
    if (kind === 'double') return bytes.readDoubleLE(0);
    return kind === 'sfixed64' ? Number(bytes.readBigInt64LE(0)) : bytes.readBigUInt64LE(0).toString();
  }
  if (wire === 5) return reader.take(4).readUInt32LE(0);
  const bytes = reader.take(Number(reader.varint()));
  return kind === 'hex' ? bytes.toString('hex') : bytes.toString('utf8');
}

/** A packed repeated field of 8-byte values (doubles, or fixed64 as decimal strings like OTLP/JSON). */
function packed64(kind: 'double' | 'fixed64', bytes: Buffer): unknown[] {
  const values: unknown[] = [];
  for (let at = 0; at + 8 <= bytes.length; at += 8)
    values.push(kind === 'double' ? bytes.readDoubleLE(at) : bytes.readBigUInt64LE(at).toString());
  return values;
}

function decodeMessage(buf: Buffer, schema: Schema): Decoded {
  const reader = new WireReader(buf);
  const out: Decoded = {};
  while (!reader.done) {
    const tag = Number(reader.varint());
    const [name, kind, repeated] = schema[tag >>> 3] ?? ['', 'string'];
    if (repeated && (kind === 'double' || kind === 'fixed64') && (tag & 7) === 2) {
      out[name] = [
        ...((out[name] as unknown[]) ?? []),
        ...packed64(kind, reader.take(Number(reader.varint()))),
      ];
      continue;
    }
    const value =
      typeof kind === 'object'
        ? decodeMessage(reader.take(Number(reader.varint())), kind)
        : scalar(kind, tag & 7, reader);
    if (name === '') continue;
    const list = out[name];
    if (!repeated) out[name] = value;
    else if (Array.isArray(list)) list.push(value);
    else out[name] = [value];
  }
  return out;
}

/** The body of a POST to /v1/traces or /v1/metrics, as OTLP/JSON-shaped objects. */
export function decodeOtlpRequest(signal: 'traces' | 'metrics', body: Buffer, contentType: string): Decoded {
  if (contentType.startsWith('application/json')) return JSON.parse(body.toString('utf8')) as Decoded;
  return decodeMessage(body, signal === 'traces' ? TRACES_REQUEST : METRICS_REQUEST);
}

/** An attribute value as the SDK had it: string, number, boolean, array or nested object. */
export type Flat = string | number | boolean | Flat[] | { [key: string]: Flat } | undefined;
export type FlatAttributes = Record<string, Flat>;

/** One span as a backend received it. */
export interface ReceivedSpan {
  readonly resource: FlatAttributes;
  readonly scope: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly attributes: FlatAttributes;
  readonly events: readonly { readonly name: string; readonly attributes: FlatAttributes }[];
  readonly statusCode: number;
}

/** One metric as a backend received it; `value` is the number, or a histogram point's count. */
export interface ReceivedMetric {
  readonly resource: FlatAttributes;
  readonly scope: string;
  readonly name: string;
  readonly unit: string;
  readonly type: 'gauge' | 'sum' | 'histogram';
  /** 1 delta, 2 cumulative; undefined for gauges. */
  readonly temporality: number | undefined;
  readonly points: readonly ReceivedPoint[];
}

/** One data point; a histogram point also has its bounds and per-bucket (not cumulative) counts. */
export interface ReceivedPoint {
  readonly attributes: FlatAttributes;
  readonly value: number;
  readonly explicitBounds?: readonly number[];
  readonly bucketCounts?: readonly number[];
}

// biome-ignore lint/suspicious/noExplicitAny: OTLP/JSON is walked by field name
type Json = Record<string, any>;

function flatValue(value: Json | undefined): Flat {
  if (value === undefined) return undefined;
  if ('intValue' in value) return Number(value.intValue);
  if ('arrayValue' in value) return ((value.arrayValue.values ?? []) as Json[]).map(flatValue);
  if ('kvlistValue' in value) return flatAttributes(value.kvlistValue.values);
  return value.stringValue ?? value.boolValue ?? value.doubleValue ?? value.bytesValue;
}

function flatAttributes(list: Json[] | undefined): FlatAttributes {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, flatValue(kv.value)]));
}

/** Every span of a decoded /v1/traces request, with its resource and scope. */
export function receivedSpans(request: Json): ReceivedSpan[] {
  return ((request.resourceSpans ?? []) as Json[]).flatMap((rs) =>
    ((rs.scopeSpans ?? []) as Json[]).flatMap((ss) =>
      ((ss.spans ?? []) as Json[]).map((span) => ({
        resource: flatAttributes(rs.resource?.attributes),
        scope: ss.scope?.name ?? '',
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId || undefined,
        name: span.name,
        attributes: flatAttributes(span.attributes),
        events: ((span.events ?? []) as Json[]).map((e) => ({
          name: e.name,
          attributes: flatAttributes(e.attributes),
        })),
        statusCode: span.status?.code ?? 0,
      })),
    ),
  );
}

/** Every metric of a decoded /v1/metrics request, with its resource and scope. */
export function receivedMetrics(request: Json): ReceivedMetric[] {
  return ((request.resourceMetrics ?? []) as Json[]).flatMap((rm) =>
    ((rm.scopeMetrics ?? []) as Json[]).flatMap((sm) =>
      ((sm.metrics ?? []) as Json[]).map((metric) => {
        const type = (['gauge', 'sum', 'histogram'] as const).find((t) => metric[t] !== undefined) ?? 'gauge';
        const points = ((metric[type]?.dataPoints ?? []) as Json[]).map((p): ReceivedPoint => {
          const attributes = flatAttributes(p.attributes);
          if (type !== 'histogram') return { attributes, value: Number(p.asDouble ?? p.asInt ?? 0) };
          return {
            attributes,
            value: Number(p.count),
            explicitBounds: ((p.explicitBounds ?? []) as unknown[]).map(Number),
            bucketCounts: ((p.bucketCounts ?? []) as unknown[]).map(Number),
          };
        });
        return {
          resource: flatAttributes(rm.resource?.attributes),
          scope: sm.scope?.name ?? '',
          name: metric.name,
          unit: metric.unit ?? '',
          type,
          temporality: metric[type]?.aggregationTemporality,
          points,
        };
      }),
    ),
  );
}
