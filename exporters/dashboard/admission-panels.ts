/**
 * Admission panels (load shedding by criticality): each class's rejection probability now and
 * over time, and the requests rejected per second by class, so a shed shows which classes paid.
 */
import { METRICS } from '../metrics/index.ts';
import { TIMESERIES_OPTIONS } from './panel-options.ts';
import { BY_SERVICE, RATE_WINDOW, targets } from './promql.ts';
import type { PanelSpec, Section } from './types.ts';

const PROBABILITY = `max by (service, criticality) (${METRICS.admissionRejectionProbability.name}{${BY_SERVICE}})`;
const REJECTED = `sum by (service, criticality) (rate(${METRICS.admissionRequests.name}{${BY_SERVICE},outcome="rejected"}${RATE_WINDOW}))`;

function probabilities(): PanelSpec {
  return {
    type: 'timeseries',
    title: 'Rejection probability by class',
    description:
      "Probability that admission rejects a request of the class: the controller's value raised to the degradation level's floor, within the class's cap. CRITICAL_PLUS is never rejected.",
    size: { w: 12, h: 8 },
    targets: targets([PROBABILITY, '{{service}} {{criticality}}']),
    fieldConfig: { defaults: { unit: 'percentunit', min: 0, max: 1 } },
    options: TIMESERIES_OPTIONS,
  };
}

function rejected(): PanelSpec {
  return {
    type: 'timeseries',
    title: 'Rejected requests by class',
    description: 'Requests admission turned away per second (HTTP 503 with Retry-After), by class.',
    size: { w: 12, h: 8 },
    targets: targets([REJECTED, '{{service}} {{criticality}}']),
    fieldConfig: { defaults: { unit: 'reqps', min: 0 } },
    options: TIMESERIES_OPTIONS,
  };
}

/** The "Admission" section. */
export function admissionSection(): Section {
  return { title: 'Admission (load shedding)', panels: [probabilities(), rejected()] };
}
