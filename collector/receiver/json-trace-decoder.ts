/**
 * Decoder of a JSON `ExportTraceServiceRequest` (OTLP/HTTP JSON encoding: the proto3 JSON mapping
 * with lowerCamelCase keys, hex trace and span ids, enums as integers, 64-bit integers as decimal
 * strings or numbers). Unknown keys are ignored, as the spec requires; `null` reads as absent.
 * A value of the wrong type makes the whole request malformed, with its path in the reason.
 */
import type { Attributes } from '@opentelemetry/api';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_NAMESPACE } from '../../agent/index.ts';
import { type JsonObject, JsonShape, parseJsonObject } from './json-shape.ts';
import {
  type DecodedResourceSpans,
  type DecodedScopeSpans,
  type DecodedSpan,
  type DecodedTraces,
  type DecodeResult,
  INVALID_SPAN,
  NO_ATTRIBUTES,
  UNKNOWN_SERVICE,
} from './types.ts';

const MAX_OTLP_KIND = 5;

/** Decodes a JSON OTLP trace request; never throws. */
export function decodeTracesJson(body: Uint8Array): DecodeResult<DecodedTraces> {
  const parsed = parseJsonObject(body);
  if (!parsed.ok) return parsed;
  try {
    const shape = new JsonShape();
    let spanCount = 0;
    const resources = shape.array(parsed.value, 'resourceSpans', '').map((resourceSpans, i) => {
      const decoded = readResourceSpans(shape, resourceSpans, `resourceSpans[${i}]`);
      for (const scope of decoded.scopes) spanCount += scope.spans.length;
      return decoded;
    });
    return { ok: true, value: { resources, spanCount } };
  } catch (error) {
    return { ok: false, reason: JsonShape.reason(error) };
  }
}

function readResourceSpans(shape: JsonShape, message: JsonObject, path: string): DecodedResourceSpans {
  const resource = shape.object(message, 'resource', path);
  const attributes: Attributes = {};
  if (resource !== undefined) readAttributesInto(shape, resource, `${path}.resource`, attributes);
  const service = attributes[ATTR_SERVICE_NAME];
  const namespace = attributes[ATTR_SERVICE_NAMESPACE];
  const scopes = shape
    .array(message, 'scopeSpans', path)
    .map((scopeSpans, i) => readScopeSpans(shape, scopeSpans, `${path}.scopeSpans[${i}]`));
  return {
    service: typeof service === 'string' ? service : UNKNOWN_SERVICE,
    namespace: typeof namespace === 'string' ? namespace : '',
    scopes,
  };
}

function readScopeSpans(shape: JsonShape, message: JsonObject, path: string): DecodedScopeSpans {
  const scope = shape.object(message, 'scope', path);
  return {
    scopeName: scope === undefined ? '' : shape.string(scope, 'name', `${path}.scope`),
    spans: shape.array(message, 'spans', path).map((span, i) => readSpan(shape, span, `${path}.spans[${i}]`)),
  };
}

function readSpan(shape: JsonShape, span: JsonObject, path: string): DecodedSpan {
  // Every field is read, so a value of the wrong type is refused even on a span with bad ids.
  const kind = shape.integer(span, 'kind', path);
  const status = shape.object(span, 'status', path);
  const attributes: Attributes = {};
  readAttributesInto(shape, span, path, attributes);
  const decoded: DecodedSpan = {
    name: shape.string(span, 'name', path),
    kind: kind > 0 && kind <= MAX_OTLP_KIND ? kind - 1 : 0,
    startTimeMs: shape.unixNanosMs(span, 'startTimeUnixNano', path),
    endTimeMs: shape.unixNanosMs(span, 'endTimeUnixNano', path),
    statusCode: status === undefined ? 0 : shape.integer(status, 'code', `${path}.status`),
    attributes: hasKeys(attributes) ? attributes : NO_ATTRIBUTES,
    idsValid: true,
  };
  const idsValid = shape.hexId(span, 'traceId', 16, path) && shape.hexId(span, 'spanId', 8, path);
  return idsValid ? decoded : INVALID_SPAN;
}

function hasKeys(attributes: Attributes): boolean {
  for (const _ in attributes) return true;
  return false;
}

function readAttributesInto(shape: JsonShape, owner: JsonObject, path: string, attributes: Attributes): void {
  shape.array(owner, 'attributes', path).forEach((keyValue, i) => {
    const at = `${path}.attributes[${i}]`;
    const key = shape.string(keyValue, 'key', at);
    const value = shape.object(keyValue, 'value', at);
    const scalar = value === undefined ? undefined : shape.anyValueScalar(value, `${at}.value`);
    if (scalar !== undefined && key !== '__proto__') attributes[key] = scalar;
  });
}
