/**
 * With `start({ sdk: 'external' })` the service must add `headroom.spanProcessors` to its own
 * TracerProvider; forgetting it counts nothing and would say nothing. This check says it once: at
 * the first tracked operation whose span did not reach the processor, or, when no span reached it
 * within {@link EXTERNAL_SDK_CHECK_MS} of start, then.
 */
import { diag } from '@opentelemetry/api';
import type { Clock, TimerHandle } from '../agent/index.ts';

/** How long after `start()` a processor that has seen no span is reported, ms. */
const EXTERNAL_SDK_CHECK_MS = 10_000;

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

  constructor(witness: SpanWitness, clock: Clock) {
    this.#witness = witness;
    this.#timer = clock.every(EXTERNAL_SDK_CHECK_MS, () => this.verify());
  }

  /** Whether the check is over (reported or satisfied): callers skip it from then on. */
  get done(): boolean {
    return this.#done;
  }

  /** Checks now (inside a tracked operation's span, it has started): warns once if no span reached the processor. */
  verify(): void {
    if (this.#done) return;
    this.cancel();
    if (!this.#witness.sawSpan) diag.warn(EXTERNAL_SDK_WARNING);
  }

  /** Ends the check without a verdict (shutdown). */
  cancel(): void {
    this.#done = true;
    this.#timer?.cancel();
    this.#timer = undefined;
  }
}
