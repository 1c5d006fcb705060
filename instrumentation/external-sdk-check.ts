/**
 * With `start({ sdk: 'external' })` the service must give its own SDK `headroom.spanProcessors`
 * and `headroom.sampler(...)`; forgetting them counts nothing and would say nothing. This check
 * says it once: at the first tracked operation whose span did not reach the processor, or, when
 * no span reached it within {@link EXTERNAL_SDK_CHECK_MS} of start, after a probe: one span
 * through the global tracer under an unsampled parent, which a service set up as documented
 * records (Headroom's sampler) but exports nowhere (not sampled) and Headroom never judges (its own
 * scope). So an idle service set up right hears nothing, and one whose sampler drops the spans
 * Headroom needs is told. At the same moment it checks the SDK's propagator: one that forwards an
 * incoming `headroom.criticality` claim unvetted (a plain `W3CBaggagePropagator`, NodeSDK's
 * default) is said once too, as such a service must not be trusted by the next hop.
 */
import { diag, ROOT_CONTEXT, TraceFlags, type Tracer, trace } from '@opentelemetry/api';
import { type Clock, SDK_CHECK_SPAN, type TimerHandle } from '../agent/index.ts';
import { forwardsUnvettedClaims, UNVETTED_PROPAGATOR_WARNING } from './criticality/criticality-propagator.ts';

/** How long after `start()` a processor that has seen no span is probed, ms. */
const EXTERNAL_SDK_CHECK_MS = 10_000;

/** A remote parent that was not sampled: the probe's, so exporters drop the probe. */
const UNSAMPLED_PARENT = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: '48656164726f6f6d2073646b20636b21',
  spanId: '48656164726f6f6d',
  traceFlags: TraceFlags.NONE,
  isRemote: true,
});

/** The warning, the same from both checks. */
export const EXTERNAL_SDK_WARNING =
  "headroom: start({ sdk: 'external' }) but no span reached headroom.spanProcessor: give your SDK spanProcessors: [...headroom.spanProcessors, ...yours] and sampler: headroom.sampler(yourSampler), or nothing is counted";

/** Whether a span processor has seen a span start. */
export interface SpanWitness {
  readonly sawSpan: boolean;
}

/** Reports a span processor missing from the service's own SDK, once. */
export class ExternalSdkCheck {
  readonly #witness: SpanWitness;
  #timer: TimerHandle | undefined;
  #done = false;

  /** @param tracer Headroom's tracer of the global provider, which the probe goes through */
  constructor(witness: SpanWitness, clock: Clock, tracer: Tracer) {
    this.#witness = witness;
    this.#timer = clock.every(EXTERNAL_SDK_CHECK_MS, () => {
      if (!this.#witness.sawSpan) probe(tracer);
      this.verify();
    });
  }

  /** Whether the check is over (reported or satisfied): callers skip it from then on. */
  get done(): boolean {
    return this.#done;
  }

  /**
   * Checks now (inside a tracked operation's span, it has started): warns once if no span reached
   * the processor, and once if the global propagator forwards unvetted criticality claims.
   */
  verify(): void {
    if (this.#done) return;
    this.cancel();
    if (!this.#witness.sawSpan) diag.warn(EXTERNAL_SDK_WARNING);
    if (forwardsUnvettedClaims()) diag.warn(UNVETTED_PROPAGATOR_WARNING);
  }

  /** Ends the check without a verdict (shutdown). */
  cancel(): void {
    this.#done = true;
    this.#timer?.cancel();
    this.#timer = undefined;
  }
}

/** Starts and ends the probe span; never throws into the timer. */
function probe(tracer: Tracer): void {
  try {
    tracer.startSpan(SDK_CHECK_SPAN, {}, UNSAMPLED_PARENT).end();
  } catch (error) {
    diag.error('headroom: the SDK check could not start its probe span', error);
  }
}
