/**
 * Writes the OTLP model in the OTLP/HTTP JSON encoding (proto3 JSON mapping, lowerCamelCase keys,
 * hex ids, 64-bit integers as decimal strings) as mutable plain objects, ready to be mutated.
 */
import type * as Otlp from './otlp-model.ts';

/** A mutable JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function anyValue(value: Otlp.AnyValue): Json {
  if ('string' in value) return { stringValue: value.string };
  if ('bool' in value) return { boolValue: value.bool };
  if ('int' in value) return { intValue: String(value.int) };
  if ('double' in value)
    return { doubleValue: Number.isFinite(value.double) ? value.double : String(value.double) };
  if ('bytes' in value) return { bytesValue: Buffer.from(value.bytes).toString('base64') };
  if ('array' in value) return { arrayValue: { values: value.array.map(anyValue) } };
  return { kvlistValue: { values: value.kvlist.map(keyValue) } };
}

function keyValue(kv: Otlp.KeyValue): Json {
  return kv.value === undefined ? { key: kv.key } : { key: kv.key, value: anyValue(kv.value) };
}

function span(model: Otlp.SpanModel): Json {
  return {
    traceId: Buffer.from(model.traceId).toString('hex'),
    spanId: Buffer.from(model.spanId).toString('hex'),
    name: model.name,
    kind: model.kind,
    startTimeUnixNano: String(model.startNs),
    endTimeUnixNano: String(model.endNs),
    attributes: model.attributes.map(keyValue),
    status: { code: model.statusCode },
  };
}

function metric(model: Otlp.MetricModel): Json {
  const dataPoints = model.points.map((point) => ({
    attributes: point.attributes.map(keyValue),
    timeUnixNano: String(point.timeNs),
  }));
  return { name: model.name, [model.kind]: { dataPoints } };
}

function resources<T>(
  models: readonly Otlp.ResourceModel<T>[],
  items: string,
  item: (model: T) => Json,
): Json[] {
  return models.map((resource) => ({
    resource: { attributes: resource.attributes.map(keyValue) },
    [`scope${items[0]!.toUpperCase()}${items.slice(1)}`]: resource.scopes.map((scope) => ({
      scope: { name: scope.scopeName },
      [items]: scope.items.map(item),
    })),
  }));
}

/** An `ExportTraceServiceRequest` as JSON. */
export function tracesJson(model: Otlp.TracesModel): { [key: string]: Json } {
  return { resourceSpans: resources(model, 'spans', span) };
}

/** An `ExportMetricsServiceRequest` as JSON. */
export function metricsJson(model: Otlp.MetricsModel): { [key: string]: Json } {
  return { resourceMetrics: resources(model, 'metrics', metric) };
}
