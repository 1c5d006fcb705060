// Public face of agent/admission: criticality classes and admission control (load shedding).

// The semantic-convention names admission writes and reads (agent/semconv.ts holds every name).
export { ATTR_ADMISSION_OUTCOME, ATTR_CRITICALITY } from '../semconv.ts';
export { AdmissionController, type AdmissionControllerOptions } from './admission-controller.ts';
export type { AdmissionConfig } from './admission-law.ts';
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
  ADMISSION_REASONS,
  ADMISSION_REJECTED,
  type AdmissionDecision,
  type AdmissionEvidence,
  type AdmissionListener,
  type AdmissionReason,
  type AdmissionResult,
  type AdmissionState,
  type Admitted,
  type ClassAdmission,
  REJECTION_REASONS,
  type Rejected,
  type RejectionReason,
} from './types.ts';
