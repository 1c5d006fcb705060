/**
 * The W3C baggage propagator Headroom installs, which tells the next service only the class this
 * service judged a request in, never a claim it received and did not vet. Without it, a service
 * that does not settle a request's class itself (a path without the HTTP middleware, `track()`
 * with the HTTP instrumentation only, a queue consumer) would forward an outside client's
 * `headroom.criticality=CRITICAL_PLUS` as is, and a next hop that trusts this service would take
 * it (README "Where a request's class comes from"; issue 15: baggage may only lower a class unless
 * its sender is trusted).
 */
import {
  type Context,
  diag,
  propagation,
  ROOT_CONTEXT,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { CRITICALITY_BAGGAGE_KEY } from '../../agent/index.ts';
import { judgedBaggage } from './active-criticality.ts';

/** {@link criticalityPropagator}'s class. */
class CriticalityBaggagePropagator implements TextMapPropagator {
  readonly #baggage = new W3CBaggagePropagator();

  inject(active: Context, carrier: unknown, setter: TextMapSetter): void {
    this.#baggage.inject(judgedBaggage(active), carrier, setter);
  }

  extract(active: Context, carrier: unknown, getter: Parameters<TextMapPropagator['extract']>[2]): Context {
    return this.#baggage.extract(active, carrier, getter);
  }

  fields(): string[] {
    return this.#baggage.fields();
  }
}

/**
 * A W3C baggage propagator (`baggage` header) that injects, as `headroom.criticality`, the class
 * this service judged the work in: the class code or the HTTP middleware settled (trust rule
 * applied), else an incoming claim as this service took it (lowered to at most CRITICAL; a value
 * that is no class becomes CRITICAL). A context with neither gets no entry; other entries pass
 * unchanged, and extraction is the W3C propagator's. Headroom's own SDK (`start()`) installs it; with
 * `sdk: 'external'`, install it in place of `W3CBaggagePropagator`. A service may be listed in
 * another's `criticality.trustedPeers` only if it propagates baggage through it. Never throws.
 * @example
 * new NodeSDK({
 *   textMapPropagator: new CompositePropagator({
 *     propagators: [new W3CTraceContextPropagator(), criticalityPropagator()],
 *   }),
 * });
 */
export function criticalityPropagator(): TextMapPropagator {
  return new CriticalityBaggagePropagator();
}

/** What {@link forwardsUnvettedClaims} warns, once. */
export const UNVETTED_PROPAGATOR_WARNING = `headroom: the global propagator forwards an incoming ${CRITICALITY_BAGGAGE_KEY} claim as is (a client's CRITICAL_PLUS included): give your SDK textMapPropagator: new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), criticalityPropagator()] }), or list this service in no other service's criticality.trustedPeers`;

/**
 * Whether the global propagator (the service's own SDK's, with `sdk: 'external'`) would forward an
 * incoming, unvetted `headroom.criticality=CRITICAL_PLUS` as is: a probe injected into a plain
 * carrier. No baggage propagator at all forwards nothing (false). Never throws (a propagator that
 * throws is not asked again: false).
 */
export function forwardsUnvettedClaims(): boolean {
  try {
    const claim = propagation.createBaggage({ [CRITICALITY_BAGGAGE_KEY]: { value: 'CRITICAL_PLUS' } });
    const carrier: Record<string, string> = {};
    propagation.inject(propagation.setBaggage(ROOT_CONTEXT, claim), carrier);
    return (carrier.baggage ?? '').includes(`${CRITICALITY_BAGGAGE_KEY}=CRITICAL_PLUS`);
  } catch (error) {
    diag.error('headroom: the propagator check could not inject its probe', error);
    return false;
  }
}
