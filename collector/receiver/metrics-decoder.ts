/**
 * Checks that an `ExportMetricsServiceRequest` decodes and counts its data points; the receiver does
 * not read metric values (it forwards the request as it came). Metrics arrive once per export
 * interval per service, far from the span hot path, so the binary form goes through `protobufjs`
 * (the house rule: the library unless measured too slow).
 */
import { ATTR_SERVICE_NAMESPACE } from '../../agent/index.ts';
import { type JsonObject, JsonShape, parseJsonObject } from './json-shape.ts';
import { otlpType } from './otlp-proto-schema.ts';
import type { DecodeResult } from './types.ts';

interface MetricMessage {
  /** Name of the member of the `data` oneof that is set. */
  readonly data?: 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram' | 'summary';
  readonly [member: string]: unknown;
}
interface KeyValueMessage {
  readonly key: string;
  readonly value?: { readonly stringValue?: string } | null;
}
interface MetricsRequestMessage {
  readonly resourceMetrics: readonly {
    readonly resource?: { readonly attributes: readonly KeyValueMessage[] } | null;
    readonly scopeMetrics: readonly { readonly metrics: readonly MetricMessage[] }[];
  }[];
}

const requestType = otlpType('ExportMetricsServiceRequest');
/** The members of `Metric.data`, each holding its points in `dataPoints`. */
const DATA_MEMBERS = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const;

/**
 * Counts the data points of a binary OTLP metrics request; never throws.
 * @param namespaces when given, gets each resource's `service.namespace` values ('' for a resource without one)
 */
export function countDataPointsProtobuf(body: Uint8Array, namespaces?: string[]): DecodeResult<number> {
  let message: MetricsRequestMessage;
  try {
    message = requestType.decode(body) as unknown as MetricsRequestMessage;
  } catch (error) {
    return {
      ok: false,
      reason: `malformed protobuf: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  let points = 0;
  for (const resourceMetrics of message.resourceMetrics) {
    if (namespaces !== undefined) {
      const values = (resourceMetrics.resource?.attributes ?? [])
        .filter((attribute) => attribute.key === ATTR_SERVICE_NAMESPACE)
        .map((attribute) => attribute.value?.stringValue ?? '');
      namespaces.push(...(values.length === 0 ? [''] : values));
    }
    for (const scopeMetrics of resourceMetrics.scopeMetrics) {
      for (const metric of scopeMetrics.metrics) {
        const data =
          metric.data === undefined ? undefined : (metric[metric.data] as { dataPoints: unknown[] });
        points += data?.dataPoints.length ?? 0;
      }
    }
  }
  return { ok: true, value: points };
}

/**
 * Counts the data points of a JSON OTLP metrics request; never throws.
 * @param namespaces when given, gets each resource's `service.namespace` values ('' for a resource without one)
 */
export function countDataPointsJson(body: Uint8Array, namespaces?: string[]): DecodeResult<number> {
  const parsed = parseJsonObject(body);
  if (!parsed.ok) return parsed;
  try {
    const shape = new JsonShape();
    let points = 0;
    shape.array(parsed.value, 'resourceMetrics', '').forEach((resourceMetrics, i) => {
      const resourcePath = `resourceMetrics[${i}]`;
      if (namespaces !== undefined) namespaces.push(...jsonNamespaces(resourceMetrics));
      shape.array(resourceMetrics, 'scopeMetrics', resourcePath).forEach((scopeMetrics, j) => {
        const scopePath = `${resourcePath}.scopeMetrics[${j}]`;
        shape.array(scopeMetrics, 'metrics', scopePath).forEach((metric, k) => {
          points += countMetricPoints(shape, metric, `${scopePath}.metrics[${k}]`);
        });
      });
    });
    return { ok: true, value: points };
  } catch (error) {
    return { ok: false, reason: JsonShape.reason(error) };
  }
}

/** The `service.namespace` values of a JSON resource, read leniently (a non-string value counts as another namespace). */
function jsonNamespaces(resourceMetrics: JsonObject): string[] {
  const attributes = (resourceMetrics.resource as JsonObject | undefined)?.attributes;
  const values = (Array.isArray(attributes) ? attributes : [])
    .filter((attribute) => (attribute as JsonObject | null)?.key === ATTR_SERVICE_NAMESPACE)
    .map((attribute) => {
      const value = ((attribute as JsonObject).value as JsonObject | undefined)?.stringValue;
      return typeof value === 'string' ? value : String(JSON.stringify(value));
    });
  return values.length === 0 ? [''] : values;
}

function countMetricPoints(shape: JsonShape, metric: JsonObject, path: string): number {
  for (const member of DATA_MEMBERS) {
    const data = shape.object(metric, member, path);
    if (data !== undefined) return shape.array(data, 'dataPoints', `${path}.${member}`).length;
  }
  return 0;
}
