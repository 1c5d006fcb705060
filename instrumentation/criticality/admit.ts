/** Asking a service's admission controller, so that a failure there never reaches the caller. */
import { diag } from '@opentelemetry/api';
import type { AdmissionResult, Criticality } from '../../agent/index.ts';

/** What admitting needs: the service's controller (`agent.admission(service, namespace)`). */
export interface Admitter {
  admit(criticality: Criticality): AdmissionResult;
}

/**
 * `controller().admit(criticality)`; on a failure (a bug: the controller never throws by contract)
 * the work is admitted and the failure logged: shedding is a protection, and failing it open
 * keeps the service doing what it did without Headroom.
 */
export function admitSafely(controller: () => Admitter, criticality: Criticality): AdmissionResult {
  try {
    return controller().admit(criticality);
  } catch (error) {
    diag.error('headroom: admission failed; the work is admitted', error);
    return { admitted: true, criticality };
  }
}
