/**
 * Metrics of Headroom's own components beside the agent: the OTLP receiver of collector mode and
 * the OTLP span exporter. Each is a {@link MetricSource} the producer calls at collection time.
 */

import { type ServiceId, type SloEvents, type SloStatus, serviceLabels } from '../../agent/index.ts';
import type { ChannelStats } from '../alerts/index.ts';
import type { ForwarderStats, OtlpExportStats } from '../otlp/index.ts';
import { METRICS } from './metric-descriptors.ts';
import type { MetricSink } from './metric-sink.ts';

/**
 * What {@link receiverMetrics} reads from collector mode's OTLP receiver. Declared here, by the
 * reader, so exporters/ never imports collector/ (DESIGN.md: `collector -> agent`,
 * `exporters -> agent`); the receiver's `ReceiverStats` satisfies it. Totals are since start.
 */
export interface ReceiverStatsView {
  readonly requests: number;
  readonly spansReceived: number;
  /** Spans refused one by one, by reason. */
  readonly spansRejectedBy: Readonly<Record<string, number>>;
  readonly spansRetimed: number;
  /** Estimated clock skew of each recently heard service, ms (positive: the sender runs ahead). */
  readonly clockSkews: readonly (ServiceId & { readonly skewMs: number })[];
  readonly dataPointsReceived: number;
  /** Requests received and refused as a whole (by reason), by transport (`http`, `grpc`). */
  readonly transports: Readonly<
    Record<string, { readonly requests: number; readonly refused: Readonly<Record<string, number>> }>
  >;
  readonly inFlight: number;
  /** Body bytes held by admitted requests, after decompression. */
  readonly bufferedBodyBytes?: number;
  /** Time spent decoding bodies, seconds. */
  readonly decodeSecondsTotal: number;
}

/** Adds metrics to a collection; called once per collection, must not throw (errors are reported). */
export type MetricSource = (sink: MetricSink) => void;

/**
 * `headroom_receiver_*`: requests by transport, spans, refusals by reason and transport, re-timed
 * spans, clock skew per service, requests in flight, decode time.
 */
export function receiverMetrics(
  stats: () => ReceiverStatsView,
  servicesRefused?: () => number,
): MetricSource {
  return (sink) => {
    const s = stats();
    const transports = Object.entries(s.transports);
    sink.counter(
      METRICS.receiverRequests,
      transports.map(([transport, counts]) => ({ attributes: { transport }, value: counts.requests })),
    );
    sink.counter(METRICS.receiverSpans, [{ attributes: {}, value: s.spansReceived }]);
    sink.counter(
      METRICS.receiverSpansRejected,
      Object.entries(s.spansRejectedBy).map(([reason, value]) => ({ attributes: { reason }, value })),
    );
    sink.counter(METRICS.receiverSpansRetimed, [{ attributes: {}, value: s.spansRetimed }]);
    sink.gauge(
      METRICS.receiverClockSkew,
      s.clockSkews.map((skew) => ({
        attributes: serviceLabels(skew),
        value: skew.skewMs / 1000,
      })),
    );
    sink.counter(METRICS.receiverDataPoints, [{ attributes: {}, value: s.dataPointsReceived }]);
    sink.counter(
      METRICS.receiverRefused,
      transports.flatMap(([transport, counts]) =>
        Object.entries(counts.refused).map(([reason, value]) => ({
          attributes: { reason, transport },
          value,
        })),
      ),
    );
    sink.gauge(METRICS.receiverInFlight, [{ attributes: {}, value: s.inFlight }]);
    if (s.bufferedBodyBytes !== undefined) {
      sink.gauge(METRICS.receiverBufferedBodyBytes, [{ attributes: {}, value: s.bufferedBodyBytes }]);
    }
    sink.counter(METRICS.receiverDecodeSeconds, [{ attributes: {}, value: s.decodeSecondsTotal }]);
    if (servicesRefused !== undefined) {
      sink.counter(METRICS.receiverServicesRefused, [{ attributes: {}, value: servicesRefused() }]);
    }
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

/**
 * `headroom_slo_*`: per SLO and service, the objective, budget left, burn rates and time to
 * exhaustion, and the event counters they are computed from (`headroom_slo_events_total` by
 * `outcome`, good or bad, with `headroom_slo_events_start_time_seconds`, when they started from 0).
 */
export function sloMetrics(
  statuses: () => readonly SloStatus[],
  events: () => readonly SloEvents[] = () => [],
): MetricSource {
  return (sink) => {
    const counters = events();
    const labelsOf = (e: SloEvents) => ({ slo: e.slo, ...serviceLabels(e) });
    sink.counter(
      METRICS.sloEvents,
      counters.flatMap((e) => [
        { attributes: { ...labelsOf(e), outcome: 'good' }, value: e.good },
        { attributes: { ...labelsOf(e), outcome: 'bad' }, value: e.total - e.good },
      ]),
    );
    sink.gauge(
      METRICS.sloEventsStartTime,
      counters.map((e) => ({ attributes: labelsOf(e), value: e.startMs / 1000 })),
    );
    const all = statuses();
    const point = (status: SloStatus, value: number, extra: Record<string, string> = {}) => ({
      attributes: { slo: status.slo, ...serviceLabels(status), ...extra },
      value,
    });
    sink.gauge(
      METRICS.sloObjective,
      all.map((s) => point(s, s.objective)),
    );
    sink.gauge(
      METRICS.sloBudgetRemaining,
      all.map((s) => point(s, s.errorBudgetRemaining)),
    );
    sink.gauge(
      METRICS.sloBurnRate,
      all.flatMap((s) => Object.entries(s.burnRates).map(([window, rate]) => point(s, rate, { window }))),
    );
    sink.gauge(
      METRICS.sloTimeToExhaustion,
      all
        .filter((s) => s.timeToExhaustionMs !== undefined)
        .map((s) => point(s, (s.timeToExhaustionMs ?? 0) / 1000)),
    );
  };
}

/**
 * `headroom_forwarder_*` (collector mode): OTLP requests passed on to the backend, counted in
 * items as the queue is: spans for traces, data points for metrics.
 */
export function forwarderMetrics(stats: () => readonly ForwarderStats[]): MetricSource {
  return (sink) => {
    const all = stats();
    const of = (signal: string) => all.filter((s) => s.signal === signal);
    const each = (value: (s: ForwarderStats) => number) =>
      all.map((s) => ({ attributes: { signal: s.signal }, value: value(s) }));
    const dropped = (list: readonly ForwarderStats[]) =>
      list.flatMap((s) =>
        Object.entries(s.dropped).map(([reason, value]) => ({ attributes: { reason }, value })),
      );
    sink.counter(
      METRICS.forwarderRequests,
      each((s) => s.sentRequests),
    );
    sink.counter(
      METRICS.forwarderSentSpans,
      of('traces').map((s) => ({ attributes: {}, value: s.sentItems })),
    );
    sink.counter(
      METRICS.forwarderSentPoints,
      of('metrics').map((s) => ({ attributes: {}, value: s.sentItems })),
    );
    sink.counter(METRICS.forwarderDroppedSpans, dropped(of('traces')));
    sink.counter(METRICS.forwarderDroppedPoints, dropped(of('metrics')));
    sink.counter(
      METRICS.forwarderRetries,
      each((s) => s.retries),
    );
    sink.gauge(
      METRICS.forwarderQueueSize,
      each((s) => s.queueSize),
    );
    sink.gauge(
      METRICS.forwarderQueueCapacity,
      each((s) => s.queueCapacity),
    );
  };
}

/**
 * `headroom_alert_notification*` (both modes), after Alertmanager's own
 * `alertmanager_notifications_total` / `_failed_total`: per channel, notifications delivered,
 * given up by reason, failed attempts, retries and what is queued; deliveries to unknown channels.
 */
export function alertMetrics(
  channels: () => Readonly<Record<string, ChannelStats>>,
  unrouted: () => number,
): MetricSource {
  return (sink) => {
    const all = Object.entries(channels());
    const each = (value: (s: ChannelStats) => number) =>
      all.map(([channel, s]) => ({ attributes: { channel }, value: value(s) }));
    sink.counter(
      METRICS.alertNotifications,
      each((s) => s.sent),
    );
    sink.counter(
      METRICS.alertNotificationsFailed,
      all.flatMap(([channel, s]) =>
        Object.entries(s.droppedBy).map(([reason, value]) => ({ attributes: { channel, reason }, value })),
      ),
    );
    sink.counter(
      METRICS.alertNotificationRequestsFailed,
      each((s) => s.failed),
    );
    sink.counter(
      METRICS.alertNotificationRetries,
      each((s) => s.retries),
    );
    sink.gauge(
      METRICS.alertNotificationsQueued,
      each((s) => s.queued),
    );
    sink.counter(METRICS.alertNotificationsUnrouted, [{ attributes: {}, value: unrouted() }]);
  };
}
