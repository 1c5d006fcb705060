import type { Attributes } from '@opentelemetry/api';
import type { SeriesKey } from '../../agent/index.ts';

/**
 * Labels of a series: `service`, `operation`, `context`, and `phase` only for a phase of an
 * operation. A whole operation has no `phase` label, which Prometheus stores exactly as
 * `phase=""`: select whole operations with `{phase=""}`, one phase with `{phase="execution"}`.
 */
export function seriesAttributes(series: SeriesKey): Attributes {
  const attributes: Attributes = {
    service: series.service,
    operation: series.operation,
    context: series.context,
  };
  if (series.phase !== '') attributes.phase = series.phase;
  return attributes;
}
