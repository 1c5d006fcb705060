import type { Attributes } from '@opentelemetry/api';
import { type SeriesKey, serviceLabels } from '../../agent/index.ts';

/**
 * Labels of a series: `service` (and `service_namespace` when the service has one), `operation`,
 * `context`, and `phase` only for a phase of an operation. A whole operation has no `phase` label,
 * which Prometheus stores exactly as `phase=""`: select whole operations with `{phase=""}`, one
 * phase with `{phase="execution"}`; the same holds for `service_namespace`.
 */
export function seriesAttributes(series: SeriesKey): Attributes {
  const attributes: Attributes = {
    ...serviceLabels(series),
    operation: series.operation,
    context: series.context,
  };
  if (series.phase !== '') attributes.phase = series.phase;
  return attributes;
}
