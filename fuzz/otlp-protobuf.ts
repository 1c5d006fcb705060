/**
 * Writes the OTLP model as protobuf field trees (field numbers of opentelemetry-proto
 * `collector/{trace,metrics}/v1`, `trace/v1/trace.proto`, `metrics/v1/metrics.proto`,
 * `common/v1/common.proto`), ready to be mutated before serialization.
 */
import type * as Otlp from './otlp-model.ts';
import { type PbField, pb } from './protobuf-tree.ts';

function anyValue(value: Otlp.AnyValue): PbField[] {
  if ('string' in value) return [pb.string(1, value.string)];
  if ('bool' in value) return [pb.varint(2, value.bool)];
  if ('int' in value) return [pb.varint(3, value.int)];
  if ('double' in value) return [pb.double(4, value.double)];
  if ('bytes' in value) return [pb.bytes(7, value.bytes)];
  if ('array' in value)
    return [
      pb.message(
        5,
        value.array.map((item) => pb.message(1, anyValue(item))),
      ),
    ];
  return [
    pb.message(
      6,
      value.kvlist.map((kv) => keyValue(1, kv)),
    ),
  ];
}

function keyValue(no: number, kv: Otlp.KeyValue): PbField {
  const fields = [pb.string(1, kv.key)];
  if (kv.value !== undefined) fields.push(pb.message(2, anyValue(kv.value)));
  return pb.message(no, fields);
}

function span(model: Otlp.SpanModel): PbField[] {
  return [
    pb.bytes(1, model.traceId),
    pb.bytes(2, model.spanId),
    pb.string(5, model.name),
    pb.varint(6, model.kind),
    pb.fixed64(7, model.startNs),
    pb.fixed64(8, model.endNs),
    ...model.attributes.map((kv) => keyValue(9, kv)),
    pb.message(15, [pb.string(2, 'status message'), pb.varint(3, model.statusCode)]),
  ];
}

/** Data point fields by metric kind: the attributes field number differs (7, 9, 1, 7). */
const POINT_ATTRIBUTES: Readonly<Record<Otlp.MetricModel['kind'], number>> = {
  gauge: 7,
  sum: 7,
  histogram: 9,
  exponentialHistogram: 1,
  summary: 7,
};
const DATA_FIELD: Readonly<Record<Otlp.MetricModel['kind'], number>> = {
  gauge: 5,
  sum: 7,
  histogram: 9,
  exponentialHistogram: 10,
  summary: 11,
};

function metric(model: Otlp.MetricModel): PbField[] {
  const points = model.points.map((point) =>
    pb.message(1, [
      pb.fixed64(3, point.timeNs),
      ...point.attributes.map((kv) => keyValue(POINT_ATTRIBUTES[model.kind], kv)),
    ]),
  );
  return [pb.string(1, model.name), pb.message(DATA_FIELD[model.kind], points)];
}

function resources<T>(models: readonly Otlp.ResourceModel<T>[], item: (model: T) => PbField[]): PbField[] {
  return models.map((resource) =>
    pb.message(1, [
      pb.message(
        1,
        resource.attributes.map((kv) => keyValue(1, kv)),
      ),
      ...resource.scopes.map((scope) =>
        pb.message(2, [
          pb.message(1, [pb.string(1, scope.scopeName)]),
          ...scope.items.map((i) => pb.message(2, item(i))),
        ]),
      ),
    ]),
  );
}

/** The fields of an `ExportTraceServiceRequest`. */
export function tracesFields(model: Otlp.TracesModel): PbField[] {
  return resources(model, span);
}

/** The fields of an `ExportMetricsServiceRequest`. */
export function metricsFields(model: Otlp.MetricsModel): PbField[] {
  return resources(model, metric);
}
