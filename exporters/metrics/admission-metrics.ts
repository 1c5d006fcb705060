/**
 * Per-service admission metrics (load shedding by criticality): the requests admission judged, by
 * class and outcome, and each class's rejection probability now. Both are read from the
 * controllers' state at collection time (the counters are the controllers' own cumulative counts),
 * so admit() never touches an OpenTelemetry instrument.
 */
import {
  type AdmissionState,
  type Agent,
  CRITICALITIES,
  serviceKey,
  serviceLabels,
} from '../../agent/index.ts';
import { max, SERVICE_FOLD, sum } from './capped-points.ts';
import { METRICS } from './metric-descriptors.ts';
import type { MetricSink } from './metric-sink.ts';

/** The admission state of every service the agent holds, in the agent's order. */
export function admissionStates(agent: Agent): AdmissionState[] {
  return agent.services().map((id) => agent.admission(id.service, id.namespace).state());
}

/**
 * Adds `headroom_admission_rejection_probability{criticality}` of every state in `states` (one per
 * service, labelled as the other per-service metrics: `service`, `service_namespace` when not
 * empty) and `headroom_admission_requests_total{criticality, outcome}` of those whose admission
 * has judged a request. Every class shows, CRITICAL_PLUS included (its probability is always 0),
 * so a query never lacks a series. Services beyond the cap fold into `service="__overflow__"`:
 * counts add up, probabilities keep the highest.
 */
export function addAdmissionMetrics(sink: MetricSink, states: Iterable<AdmissionState>): void {
  const requests = sink.capped(SERVICE_FOLD, sum);
  const probabilities = sink.capped(SERVICE_FOLD, max);
  for (const state of states) {
    const key = serviceKey(state);
    const labels = serviceLabels(state);
    // A collector's own admit() judges nothing (its services decide with connectDecisions):
    // no counter series of zeros for each service it holds.
    const judged = CRITICALITIES.some((c) => state.classes[c].admitted + state.classes[c].rejected > 0);
    for (const criticality of CRITICALITIES) {
      const { admitted, rejected, probability } = state.classes[criticality];
      probabilities.add(key, { ...labels, criticality }, probability);
      if (!judged) continue;
      requests.add(key, { ...labels, criticality, outcome: 'admitted' }, admitted);
      requests.add(key, { ...labels, criticality, outcome: 'rejected' }, rejected);
    }
  }
  sink.counter(METRICS.admissionRequests, requests);
  sink.gauge(METRICS.admissionRejectionProbability, probabilities);
}
