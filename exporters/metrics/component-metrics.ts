/**
 * Metrics of Headroom's own components beside the agent: the OTLP receiver of collector mode and
 * the OTLP span exporter. Each is a {@link MetricSource} the producer calls at collection time.
 */
import type { ReceiverStats } from '../../agent/collector/receiver/index.ts';
import type { OtlpExportStats } from '../otlp/index.ts';
import { METRICS } from './metric-descriptors.ts';
import type { MetricSink } from './metric-sink.ts';

/** Adds metrics to a collection; called once per collection, must not throw (errors are reported). */
export type MetricSource = (sink: MetricSink) => void;

/** `headroom_receiver_*`: requests, spans, refusals by reason, requests in flight, decode time. */
export function receiverMetrics(stats: () => ReceiverStats): MetricSource {
  return (sink) => {
    const s = stats();
    sink.counter(METRICS.receiverRequests, [{ attributes: {}, value: s.requests }]);
    sink.counter(METRICS.receiverSpans, [{ attributes: {}, value: s.spansReceived }]);
    sink.counter(METRICS.receiverSpansRejected, [{ attributes: {}, value: s.spansRejected }]);
    sink.counter(METRICS.receiverDataPoints, [{ attributes: {}, value: s.dataPointsReceived }]);
    sink.counter(
      METRICS.receiverRefused,
      Object.entries(s.refused).map(([reason, value]) => ({ attributes: { reason }, value })),
    );
    sink.gauge(METRICS.receiverInFlight, [{ attributes: {}, value: s.inFlight }]);
    sink.counter(METRICS.receiverDecodeSeconds, [{ attributes: {}, value: s.decodeSecondsTotal }]);
  };
}

/** `headroom_exporter_spans_*`: spans sent, dropped by reason, retries, queue size and capacity. */
export function otlpExporterMetrics(stats: () => OtlpExportStats): MetricSource {
  return (sink) => {
    const s = stats();
    sink.counter(METRICS.exporterSpansSent, [{ attributes: {}, value: s.exported }]);
    sink.counter(
      METRICS.exporterSpansDropped,
      Object.entries(s.dropped).map(([reason, value]) => ({ attributes: { reason }, value })),
    );
    sink.counter(METRICS.exporterRetries, [{ attributes: {}, value: s.retries }]);
    sink.gauge(METRICS.exporterQueueSize, [{ attributes: {}, value: s.queueSize }]);
    sink.gauge(METRICS.exporterQueueCapacity, [{ attributes: {}, value: s.queueCapacity }]);
  };
}
