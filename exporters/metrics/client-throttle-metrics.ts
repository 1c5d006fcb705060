/**
 * `headroom_client_throttle_*`: what the client throttles of an embedded Headroom
 * (`headroom.throttle(target)`) sent, rejected locally and saw accepted, per target and class, and
 * the local rejection probability in force. Targets are bounded where they are created
 * (`admission.clientThrottle.maxTargets`, the rest under `target="__overflow__"`).
 */
import { type ServiceId, serviceLabels } from '../../agent/index.ts';
import type { MetricSource } from './component-metrics.ts';
import { METRICS } from './metric-descriptors.ts';

/**
 * What {@link clientThrottleMetrics} reads of one (target, class). Declared here, by the reader,
 * so exporters/ never imports instrumentation/; the throttles' `ClientThrottleStats` satisfies it.
 * Totals are since the target's throttle was created.
 */
export interface ClientThrottleStatsView {
  readonly target: string;
  readonly criticality: string;
  readonly sent: number;
  readonly throttled: number;
  readonly accepted: number;
  readonly refused: number;
  /** Sent calls their caller aborted: neither accepted nor refused. */
  readonly aborted: number;
  /** 0..1. */
  readonly probability: number;
}

/** The client throttle metrics of `service`, from `stats` at each collection. */
export function clientThrottleMetrics(
  service: ServiceId,
  stats: () => readonly ClientThrottleStatsView[],
): MetricSource {
  const labels = serviceLabels(service);
  return (sink) => {
    const all = stats();
    // Before the first throttled target, no families at all: a prom-client registry would show them empty.
    if (all.length === 0) return;
    const point = (s: ClientThrottleStatsView, outcome: string, value: number) => ({
      attributes: { ...labels, target: s.target, criticality: s.criticality, outcome },
      value,
    });
    sink.counter(
      METRICS.clientThrottleRequests,
      all.flatMap((s) => [point(s, 'sent', s.sent), point(s, 'throttled', s.throttled)]),
    );
    sink.counter(
      METRICS.clientThrottleResults,
      all.flatMap((s) => [
        point(s, 'accepted', s.accepted),
        point(s, 'refused', s.refused),
        point(s, 'aborted', s.aborted),
      ]),
    );
    sink.gauge(
      METRICS.clientThrottleProbability,
      all.map((s) => ({
        attributes: { ...labels, target: s.target, criticality: s.criticality },
        value: s.probability,
      })),
    );
  };
}
