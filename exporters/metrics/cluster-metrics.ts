/** Metrics of Node cluster mode, served by the primary: its workers and the deltas they ship. */
import type { ClusterStats } from '../../agent/index.ts';
import type { MetricSource } from './component-metrics.ts';
import { METRICS } from './metric-descriptors.ts';

/** The cluster primary's counters as metrics; `stats` is read at each collection. */
export function clusterMetrics(stats: () => ClusterStats): MetricSource {
  return (sink) => {
    const s = stats();
    sink.gauge(METRICS.clusterWorkers, [{ attributes: {}, value: s.workers }]);
    sink.counter(METRICS.clusterWorkersExited, [{ attributes: {}, value: s.workersExited }]);
    sink.counter(METRICS.clusterDeltas, [{ attributes: {}, value: s.deltas }]);
    sink.counter(METRICS.clusterRefused, [
      { attributes: { what: 'message' }, value: s.messagesRefused },
      { attributes: { what: 'series' }, value: s.seriesRefused },
      { attributes: { what: 'slot' }, value: s.slotsDropped },
      { attributes: { what: 'admission' }, value: s.admissionRefused },
    ]);
    sink.counter(METRICS.clusterAdmissionFallbacks, [{ attributes: {}, value: s.admissionFallbacks }]);
    sink.counter(
      METRICS.clusterSamplesDropped,
      Object.entries(s.samplesDropped).map(([reason, value]) => ({ attributes: { reason }, value })),
    );
  };
}
