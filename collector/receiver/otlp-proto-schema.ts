/**
 * The subset of the OTLP protobuf definitions the receiver decodes with `protobufjs`, with the field
 * numbers of opentelemetry-proto (`common/v1/common.proto`, `resource/v1/resource.proto`,
 * `trace/v1/trace.proto`, `metrics/v1/metrics.proto` and the `collector/.../*_service.proto`
 * requests). Fields the agent never reads (events, links, exemplars, ...) are left out: protobufjs
 * skips unknown fields, as protobuf requires.
 */
import protobuf from 'protobufjs';

const OTLP_SUBSET = `
syntax = "proto3";
package otlp;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; }
message Resource { repeated KeyValue attributes = 1; }

message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  Status status = 15;
}
message Status { string message = 2; int32 code = 3; }

message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; }
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; }
message Metric {
  string name = 1;
  oneof data {
    DataPoints gauge = 5;
    DataPoints sum = 7;
    DataPoints histogram = 9;
    DataPoints exponential_histogram = 10;
    DataPoints summary = 11;
  }
}
// Gauge, Sum, Histogram, ExponentialHistogram and Summary all keep their points in field 1; the
// points are only counted, their fields skipped (which still checks their framing).
message DataPoints { repeated DataPoint data_points = 1; }
message DataPoint {}
`;

/** The OTLP message types, camelCase field names (protobufjs' default). */
const otlpRoot: protobuf.Root = protobuf.parse(OTLP_SUBSET).root;

/** A message type of the subset, e.g. `otlpType('ExportTraceServiceRequest')`. */
export function otlpType(name: string): protobuf.Type {
  return otlpRoot.lookupType(`otlp.${name}`);
}
