/**
 * `headroom_criticality_invalid_total{source}`: the `headroom.criticality` values Headroom read and
 * ignored because they were no class, so a peer or a library that sends a misspelt class is seen
 * in the metrics, not only in the one log line said the first time.
 */
import { type ServiceId, serviceLabels } from '../../agent/index.ts';
import type { MetricSource } from './component-metrics.ts';
import { METRICS } from './metric-descriptors.ts';

/**
 * What {@link invalidCriticalityMetrics} reads; totals since the process (or receiver) started. A
 * source a mode does not have is left out (collector mode reads no baggage).
 */
interface InvalidCriticalityCounts {
  /** W3C baggage values ignored, each time one was read. */
  readonly baggage?: number;
  /** Judged spans whose attribute was ignored (they counted in their series' class). */
  readonly span: number;
}

/**
 * The invalid-criticality counter, from `counts` at each collection: of `service` in embedded
 * mode, of every span the collector received when `service` is undefined (no service labels).
 */
export function invalidCriticalityMetrics(
  service: ServiceId | undefined,
  counts: () => InvalidCriticalityCounts,
): MetricSource {
  const labels = service === undefined ? {} : serviceLabels(service);
  return (sink) => {
    const { baggage, span } = counts();
    sink.counter(METRICS.criticalityInvalid, [
      ...(baggage === undefined ? [] : [{ attributes: { ...labels, source: 'baggage' }, value: baggage }]),
      { attributes: { ...labels, source: 'span' }, value: span },
    ]);
  };
}
