// Public face of agent/admission: criticality classes and admission control (load shedding).

// The semantic-convention names admission writes and reads (agent/semconv.ts holds every name).
export { ATTR_ADMISSION_OUTCOME, ATTR_CRITICALITY } from '../semconv.ts';
export type { FollowedAdmission } from './class-counters.ts';
export {
  CRITICALITIES,
  CRITICALITY_BAGGAGE_KEY,
  type Criticality,
  criticalityRank,
  DEFAULT_CRITICALITY,
  isCriticality,
  lowerCriticality,
} from './criticality.ts';
export {
  ADMISSION_REJECTED,
  type AdmissionDecision,
  type AdmissionListener,
  type AdmissionResult,
  type AdmissionState,
  type Admitted,
  type ClassAdmission,
  type Rejected,
  type RejectionReason,
} from './types.ts';
