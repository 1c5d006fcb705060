/**
 * What a finished span says about admission, read the same way by the embedded span processor and
 * the collector's span ingestion: whether admission turned its request away (such a span is never
 * judged: shed requests must not make latency look better), and the request's criticality class.
 */
import { type Attributes, diag } from '@opentelemetry/api';
import { type Criticality, isCriticality } from '../admission/criticality.ts';
import { truncate } from '../limits/index.ts';
import { ATTR_ADMISSION_OUTCOME, ATTR_CRITICALITY } from '../semconv.ts';

/** The value of `headroom.admission.outcome` on the server span of a request admission rejected. */
const REJECTED = 'rejected';

/** Longest invalid value quoted in the warning, characters. */
const MAX_QUOTED = 64;

/** Whether admission rejected the span's request (`headroom.admission.outcome = rejected`). */
export function admissionRejected(attributes: Attributes): boolean {
  return attributes[ATTR_ADMISSION_OUTCOME] === REJECTED;
}

/**
 * Reads spans' `headroom.criticality`. A value that is not a class (exact spelling, as Google SRE
 * names them) is counted and ignored: the span then counts in its series' class. The first one is
 * logged once (per reader); none is ever thrown.
 */
export class SpanCriticality {
  #invalid = 0;

  /** Spans whose `headroom.criticality` was not one of the classes. */
  get invalid(): number {
    return this.#invalid;
  }

  /** The span's class; `undefined` when it carries none or an invalid one (counted). */
  of(attributes: Attributes): Criticality | undefined {
    const value = attributes[ATTR_CRITICALITY];
    if (value === undefined || isCriticality(value)) return value;
    if (this.#invalid++ === 0) {
      diag.warn(
        `headroom: span attribute ${ATTR_CRITICALITY} ${JSON.stringify(typeof value === 'string' ? truncate(value, MAX_QUOTED) : value)} is not a criticality class (CRITICAL_PLUS, CRITICAL, SHEDDABLE_PLUS, SHEDDABLE); such spans count in their series' class (logged once, counted)`,
      );
    }
    return undefined;
  }
}
