/**
 * Criticality classes (Google SRE, "Handling Overload"): every request is CRITICAL_PLUS, CRITICAL,
 * SHEDDABLE_PLUS or SHEDDABLE; under overload the lowest are rejected first, CRITICAL_PLUS never.
 * The class travels with the request in W3C baggage under {@link CRITICALITY_BAGGAGE_KEY}, so a
 * sheddable request stays sheddable across the call graph.
 */
import { CRITICALITIES } from '../../config/index.ts';
import { ATTR_CRITICALITY } from '../semconv.ts';

export { CRITICALITIES };

/** One of {@link CRITICALITIES}. */
export type Criticality = (typeof CRITICALITIES)[number];

/** The class of a request nothing classified (SRE practice: the default is CRITICAL). */
export const DEFAULT_CRITICALITY: Criticality = 'CRITICAL';

/**
 * W3C baggage key (https://www.w3.org/TR/baggage/) the class is propagated under, value one of
 * {@link CRITICALITIES}: `baggage: headroom.criticality=SHEDDABLE`.
 */
export const CRITICALITY_BAGGAGE_KEY = ATTR_CRITICALITY;

const RANK: Readonly<Record<Criticality, number>> = Object.freeze({
  CRITICAL_PLUS: 3,
  CRITICAL: 2,
  SHEDDABLE_PLUS: 1,
  SHEDDABLE: 0,
});

/** Whether `value` is one of {@link CRITICALITIES} (exact spelling). */
export function isCriticality(value: unknown): value is Criticality {
  return typeof value === 'string' && Object.hasOwn(RANK, value);
}

/** 3 for CRITICAL_PLUS down to 0 for SHEDDABLE: a higher rank is shed later. */
export function criticalityRank(criticality: Criticality): number {
  return RANK[criticality];
}

/** The less important of two classes. */
export function lowerCriticality(a: Criticality, b: Criticality): Criticality {
  return RANK[a] <= RANK[b] ? a : b;
}
