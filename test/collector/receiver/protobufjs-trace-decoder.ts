/**
 * Option (a) of the decoding choice: a binary `ExportTraceServiceRequest` decoded by `protobufjs`
 * with the OTLP subset in `otlp-proto-schema.ts`, then mapped to the compact form. The receiver uses
 * the hand-written wire decoder instead, because `bench/ingest.bench.ts` measured it about 3.5x
 * faster (the house rule: the library unless measured too slow). Kept here as the baseline of that
 * benchmark, so the choice stays reproducible, and as the reference the wire decoder is checked
 * against (decoder and fuzz tests).
 */
import type { Attributes } from '@opentelemetry/api';
import { otlpType } from '../../../collector/receiver/otlp-proto-schema.ts';
import {
  type DecodedResourceSpans,
  type DecodedScopeSpans,
  type DecodedSpan,
  type DecodedTraces,
  type DecodeResult,
  INVALID_SPAN,
  NO_ATTRIBUTES,
  UNKNOWN_SERVICE,
} from '../../../collector/receiver/types.ts';
import { unixNanosToMs } from '../../../collector/receiver/wire-reader.ts';

// The shapes protobufjs decodes into (fields absent from the wire read as defaults).
interface Int64 {
  readonly low: number;
  readonly high: number;
}
interface AnyValueMessage {
  readonly value?: string;
  readonly stringValue: string;
  readonly boolValue: boolean;
  readonly intValue: Int64 | number;
  readonly doubleValue: number;
}
interface KeyValueMessage {
  readonly key: string;
  readonly value?: AnyValueMessage | null;
}
interface SpanMessage {
  readonly traceId: Uint8Array;
  readonly spanId: Uint8Array;
  readonly name: string;
  readonly kind: number;
  readonly startTimeUnixNano: Int64 | number;
  readonly endTimeUnixNano: Int64 | number;
  readonly attributes: readonly KeyValueMessage[];
  readonly status?: { readonly code: number } | null;
}
interface ResourceSpansMessage {
  readonly resource?: { readonly attributes: readonly KeyValueMessage[] } | null;
  readonly scopeSpans: readonly {
    readonly scope?: { readonly name: string } | null;
    readonly spans: readonly SpanMessage[];
  }[];
}

const requestType = otlpType('ExportTraceServiceRequest');
const TWO_POW_32 = 4294967296;
const MAX_OTLP_KIND = 5;

/** Decodes a binary OTLP trace request with protobufjs; never throws. */
export function decodeTracesProtobufjs(body: Uint8Array): DecodeResult<DecodedTraces> {
  let message: { resourceSpans: readonly ResourceSpansMessage[] };
  try {
    message = requestType.decode(body) as unknown as typeof message;
  } catch (error) {
    return {
      ok: false,
      reason: `malformed protobuf: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  let spanCount = 0;
  const resources = message.resourceSpans.map((resourceSpans): DecodedResourceSpans => {
    const scopes = resourceSpans.scopeSpans.map((scopeSpans): DecodedScopeSpans => {
      spanCount += scopeSpans.spans.length;
      return { scopeName: scopeSpans.scope?.name ?? '', spans: scopeSpans.spans.map(toSpan) };
    });
    const attributes = resourceSpans.resource?.attributes ?? [];
    return {
      service: stringAttribute(attributes, 'service.name') ?? UNKNOWN_SERVICE,
      namespace: stringAttribute(attributes, 'service.namespace') ?? '',
      scopes,
    };
  });
  return { ok: true, value: { resources, spanCount } };
}

function toSpan(span: SpanMessage): DecodedSpan {
  if (!(validId(span.traceId, 16) && validId(span.spanId, 8))) return INVALID_SPAN;
  let attributes: Attributes | undefined;
  for (const { key, value } of span.attributes) {
    const scalar = value == null ? undefined : scalarOf(value);
    if (scalar === undefined || key === '__proto__') continue;
    attributes ??= {};
    attributes[key] = scalar;
  }
  return {
    name: span.name,
    kind: span.kind > 0 && span.kind <= MAX_OTLP_KIND ? span.kind - 1 : 0,
    startTimeMs: nanosToMs(span.startTimeUnixNano),
    endTimeMs: nanosToMs(span.endTimeUnixNano),
    statusCode: span.status?.code ?? 0,
    attributes: attributes ?? NO_ATTRIBUTES,
    idsValid: true,
  };
}

function scalarOf(value: AnyValueMessage): string | number | boolean | undefined {
  switch (value.value) {
    case 'stringValue':
      return value.stringValue;
    case 'boolValue':
      return value.boolValue;
    case 'intValue':
      return typeof value.intValue === 'number'
        ? value.intValue
        : value.intValue.high * TWO_POW_32 + (value.intValue.low >>> 0);
    case 'doubleValue':
      return value.doubleValue;
    default:
      return undefined;
  }
}

/** Unix nanoseconds (a Long when the `long` package is present, else a number) as ms. */
function nanosToMs(value: Int64 | number): number {
  return typeof value === 'number' ? value / 1e6 : unixNanosToMs(value.high >>> 0, value.low >>> 0);
}

/** The last scalar value of `key` if it is a string (a repeated key's last scalar value wins). */
function stringAttribute(attributes: readonly KeyValueMessage[], key: string): string | undefined {
  const found = attributes.findLast(
    (attribute) =>
      attribute.key === key && attribute.value != null && scalarOf(attribute.value) !== undefined,
  );
  return found?.value?.value === 'stringValue' ? found.value.stringValue : undefined;
}

function validId(id: Uint8Array, size: number): boolean {
  return id.length === size && id.some((byte) => byte !== 0);
}
