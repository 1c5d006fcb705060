/**
 * Where a request's criticality comes from, one pure rule (README "Where a request's class comes
 * from"): code over YAML over baggage, and baggage from a peer nobody trusts can only lower a
 * class. Google SRE ("Handling Overload") propagates criticality with the request and lets a
 * service lower it; raising it is reserved to code the service owns and to peers it trusts.
 */
import { type Criticality, DEFAULT_CRITICALITY, isCriticality, lowerCriticality } from '../../agent/index.ts';

/** What is known about one request's class. */
export interface CriticalitySources {
  /** Set by the service's code (`headroom.admit(c)`, `withCriticality`, the middleware's `criticality` hook): final. */
  readonly code?: Criticality | undefined;
  /** YAML: the matching rule's `criticality`, else its context's. */
  readonly yaml?: Criticality | undefined;
  /** The incoming `headroom.criticality` baggage value, as received (anything: it is checked here). */
  readonly baggage?: string | undefined;
  /** Whether the sender is in `criticality.trustedPeers`. */
  readonly trustedPeer?: boolean;
}

/** Which source gave the class. */
export type CriticalitySource = 'code' | 'yaml' | 'baggage' | 'default';

/** The class a request runs in, and why. */
export interface ResolvedCriticality {
  readonly criticality: Criticality;
  readonly source: CriticalitySource;
  /** The baggage value when it was present but not a class (ignored); absent otherwise. */
  readonly invalidBaggage?: string;
}

/**
 * The class of a request:
 * 1. code, final;
 * 2. else YAML (rule, else context); baggage may lower it, never raise it (trusted or not);
 * 3. else baggage: from a trusted peer as is; from anyone else only lower than the default
 *    (CRITICAL_PLUS there counts as CRITICAL);
 * 4. else CRITICAL.
 * A baggage value that is not a class (exact spelling) is ignored and reported in `invalidBaggage`.
 * Never throws.
 */
export function resolveCriticality(sources: CriticalitySources): ResolvedCriticality {
  const { code, yaml, baggage } = sources;
  const fromBaggage = isCriticality(baggage) ? baggage : undefined;
  const invalid = baggage !== undefined && fromBaggage === undefined ? { invalidBaggage: baggage } : {};
  if (code !== undefined) return { criticality: code, source: 'code', ...invalid };
  if (yaml !== undefined) {
    const lowered = fromBaggage !== undefined && lowerCriticality(yaml, fromBaggage) !== yaml;
    return lowered
      ? { criticality: fromBaggage, source: 'baggage', ...invalid }
      : { criticality: yaml, source: 'yaml', ...invalid };
  }
  if (fromBaggage === undefined) return { criticality: DEFAULT_CRITICALITY, source: 'default', ...invalid };
  const criticality =
    sources.trustedPeer === true ? fromBaggage : lowerCriticality(DEFAULT_CRITICALITY, fromBaggage);
  return { criticality, source: 'baggage' };
}
