/**
 * The one retry backoff of Headroom, as the OpenTelemetry Collector's exporterhelper computes it
 * (cenkalti/backoff): every delivery (OTLP spans, forwarding, alert channels) and the remote
 * decisions client use it. It lives beside the clock so instrumentation/ can import it too.
 */

/** Jitter of each interval, +/- this fraction, as the Collector's exporterhelper uses. */
const RANDOMIZATION_FACTOR = 0.5;

/** When and how long to retry; the shape of the resolved `exporters.otlp.retry` (durations in ms). */
export interface RetryPolicy {
  /** false: never retry. */
  readonly enabled: boolean;
  /** Interval before the first retry, ms (randomized by +/-50 %). */
  readonly initialIntervalMs: number;
  /** Largest interval, ms. */
  readonly maxIntervalMs: number;
  /** Growth of the interval per retry (>= 1). */
  readonly multiplier: number;
  /** Retrying stops when the next attempt would start later than this after the first, ms. */
  readonly maxElapsedTimeMs: number;
}

/** The Collector's `retry_on_failure` defaults: 5 s, up to 30 s, x1.5, for at most 300 s. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  enabled: true,
  initialIntervalMs: 5000,
  maxIntervalMs: 30_000,
  multiplier: 1.5,
  maxElapsedTimeMs: 300_000,
});

/**
 * The retry schedule of one delivery: intervals grow from `initialIntervalMs` by `multiplier` up
 * to `maxIntervalMs`, each randomized by +/-50 %; a Retry-After the receiver sent wins when it is
 * longer; retrying stops when the next attempt would start after `maxElapsedTimeMs`.
 * @example
 * const backoff = new ExponentialBackoff(policy, clock.now());
 * const delayMs = backoff.nextDelayMs(clock.now(), retryAfterMs); // undefined: give up
 */
export class ExponentialBackoff {
  readonly #policy: RetryPolicy;
  readonly #random: () => number;
  #startMs: number;
  #intervalMs: number;

  /**
   * @param startMs when the first attempt started, ms since the epoch
   * @param random uniform source in [0, 1), for tests. @default Math.random
   */
  constructor(policy: RetryPolicy, startMs: number, random: () => number = Math.random) {
    this.#policy = policy;
    this.#startMs = startMs;
    this.#random = random;
    this.#intervalMs = policy.initialIntervalMs;
  }

  /**
   * Delay before the next attempt, ms, or `undefined` when retrying is off or the attempt would
   * start after `maxElapsedTimeMs`.
   * @param nowMs now, ms since the epoch
   * @param retryAfterMs the delay the receiver asked for (Retry-After), ms
   */
  nextDelayMs(nowMs: number, retryAfterMs?: number): number | undefined {
    if (!this.#policy.enabled) return undefined;
    const delta = RANDOMIZATION_FACTOR * this.#intervalMs;
    const randomized = this.#intervalMs - delta + this.#random() * 2 * delta;
    this.#intervalMs = Math.min(this.#intervalMs * this.#policy.multiplier, this.#policy.maxIntervalMs);
    const delayMs = Math.max(randomized, retryAfterMs ?? 0);
    if (nowMs - this.#startMs + delayMs > this.#policy.maxElapsedTimeMs) return undefined;
    return delayMs;
  }

  /** Starts over from `initialIntervalMs`, counting elapsed time from `nowMs` (after a success). */
  reset(nowMs: number): void {
    this.#startMs = nowMs;
    this.#intervalMs = this.#policy.initialIntervalMs;
  }
}
