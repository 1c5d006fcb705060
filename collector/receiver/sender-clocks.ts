/**
 * Re-timing by sender clock skew: each batch of a service feeds its skew estimate, and when the
 * estimate exceeds one window slot the service's end times are moved by it, to about their arrival.
 */
import { ClockSkewEstimator } from './clock-skew.ts';
import { problemOf } from './span-rejections.ts';
import type { DecodedResourceSpans } from './types.ts';

/** Options of {@link SenderClocks}. */
export interface SenderClocksOptions {
  /** Largest offset corrected, ms (`receiver.maxClockSkew`); 0 turns re-timing off. */
  readonly maxClockSkewMs: number;
  /** The window's slot length now, ms: finer offsets change nothing the window can see. */
  readonly resolutionMs: () => number;
}

export class SenderClocks {
  /** The per-service estimates, for `headroom_receiver_clock_skew_seconds`. */
  readonly skews = new ClockSkewEstimator();
  readonly #maxClockSkewMs: number;
  readonly #resolutionMs: () => number;

  constructor(options: SenderClocksOptions) {
    this.#maxClockSkewMs = options.maxClockSkewMs;
    this.#resolutionMs = options.resolutionMs;
  }

  /**
   * Notes the batch in its service's estimate and returns how far to move its end times, ms: the
   * estimate when it exceeds one slot, else 0. Only valid spans whose end is {@link plausible} count.
   */
  shiftOf(resource: DecodedResourceSpans, nowMs: number, maxDurationMs: number): number {
    let newestEndMs = Number.NEGATIVE_INFINITY;
    let oldestEndMs = Number.POSITIVE_INFINITY;
    for (const scope of resource.scopes) {
      for (const span of scope.spans) {
        if (problemOf(span, maxDurationMs) !== undefined || !this.plausible(span.endTimeMs, nowMs)) continue;
        newestEndMs = Math.max(newestEndMs, span.endTimeMs);
        oldestEndMs = Math.min(oldestEndMs, span.endTimeMs);
      }
    }
    if (newestEndMs === Number.NEGATIVE_INFINITY) return 0;
    const { service, namespace } = resource;
    const skewMs = this.skews.observe(service, namespace, nowMs, newestEndMs, oldestEndMs);
    return Math.abs(skewMs) > this.#resolutionMs() ? skewMs : 0;
  }

  /**
   * The end time a span is recorded at: moved by `shiftMs` when it is plausible; an overshoot past
   * the present (an ahead sender's estimate may fall short by its batching delay) lands on the
   * present, unless it is still `endLimitMs` or more ahead (then it is refused as future).
   */
  endOf(endTimeMs: number, shiftMs: number, nowMs: number, endLimitMs: number): number {
    if (shiftMs === 0 || !this.plausible(endTimeMs, nowMs)) return endTimeMs;
    const movedMs = endTimeMs + shiftMs;
    return movedMs > nowMs && movedMs < endLimitMs ? nowMs : movedMs;
  }

  /** Whether an end time is within `maxClockSkewMs` of the present: a clock offset may explain it. */
  plausible(endTimeMs: number, nowMs: number): boolean {
    return this.#maxClockSkewMs > 0 && Math.abs(nowMs - endTimeMs) <= this.#maxClockSkewMs;
  }
}
