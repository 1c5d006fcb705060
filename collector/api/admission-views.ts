/**
 * What the decision API shows of a service's admission (load shedding by criticality): its
 * controller's state as an {@link AdmissionView}, and the view of a service the agent does not
 * hold (unknown, hidden or just evicted), which is what a fresh controller at NONE would say.
 */
import {
  type AdmissionState,
  type ClassAdmission,
  CRITICALITIES,
  type Criticality,
  type ServiceId,
} from '../../agent/index.ts';
import type { ResolvedConfig } from '../../config/index.ts';
import type { AdmissionView } from './types.ts';

/** The `admission` section of the configuration. */
type AdmissionConfig = ResolvedConfig['admission'];

/** `state` as the API serves it: classes in CRITICALITIES order, `lastDecision` null before the first. */
export function admissionView(state: AdmissionState, config: AdmissionConfig): AdmissionView {
  return {
    namespace: state.namespace,
    service: state.service,
    enabled: state.enabled,
    classes: byClass((criticality) => state.classes[criticality]),
    lastDecision: state.lastDecision ?? null,
    retryAfterMs: config.retryAfterMs,
  };
}

/**
 * The admission of a service no controller holds: every probability 0, the floors of NONE (none),
 * the base caps (`admission.maxRejection`; 0 for CRITICAL_PLUS), nothing counted.
 */
export function idleAdmissionView(id: ServiceId, config: AdmissionConfig): AdmissionView {
  const caps: Readonly<Partial<Record<Criticality, number>>> = config.maxRejection;
  return {
    namespace: id.namespace,
    service: id.service,
    enabled: config.enabled,
    classes: byClass((criticality) => ({
      probability: 0,
      maxProbability: caps[criticality] ?? 0,
      minProbability: 0,
      admitted: 0,
      rejected: 0,
    })),
    lastDecision: null,
    retryAfterMs: config.retryAfterMs,
  };
}

function byClass(of: (criticality: Criticality) => ClassAdmission): Record<Criticality, ClassAdmission> {
  return Object.fromEntries(CRITICALITIES.map((criticality) => [criticality, of(criticality)])) as Record<
    Criticality,
    ClassAdmission
  >;
}
