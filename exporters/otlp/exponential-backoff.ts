import type { OtlpRetryConfig } from './types.ts';

/** Jitter of each interval, +/- this fraction, as the Collector's exporterhelper uses. */
export const RANDOMIZATION_FACTOR = 0.5;

/**
 * The retry schedule of one batch, as the OpenTelemetry Collector's exporterhelper computes it
 * (cenkalti/backoff): intervals grow from `initialInterval` by `multiplier` up to `maxInterval`,
 * each randomized by +/-50 %; a Retry-After the backend sent wins when it is longer; retrying stops
 * when the next attempt would start after `maxElapsedTime`.
 * @example
 * const backoff = new ExponentialBackoff(config.retry, Date.now());
 * const delayMs = backoff.nextDelayMs(Date.now(), retryAfterMs); // undefined: give up
 */
export class ExponentialBackoff {
  readonly #retry: OtlpRetryConfig;
  readonly #startMs: number;
  readonly #random: () => number;
  #intervalMs: number;

  /**
   * @param startMs when the first attempt started, ms since the epoch
   * @param random uniform source in [0, 1), for tests. @default Math.random
   */
  constructor(retry: OtlpRetryConfig, startMs: number, random: () => number = Math.random) {
    this.#retry = retry;
    this.#startMs = startMs;
    this.#random = random;
    this.#intervalMs = retry.initialIntervalMs;
  }

  /**
   * Delay before the next attempt, ms, or `undefined` when retrying is off or the attempt would
   * start after `maxElapsedTime`.
   * @param nowMs now, ms since the epoch
   * @param retryAfterMs the delay the backend asked for (Retry-After), ms
   */
  nextDelayMs(nowMs: number, retryAfterMs?: number): number | undefined {
    if (!this.#retry.enabled) return undefined;
    const delta = RANDOMIZATION_FACTOR * this.#intervalMs;
    const randomized = this.#intervalMs - delta + this.#random() * 2 * delta;
    this.#intervalMs = Math.min(this.#intervalMs * this.#retry.multiplier, this.#retry.maxIntervalMs);
    const delayMs = Math.max(randomized, retryAfterMs ?? 0);
    if (nowMs - this.#startMs + delayMs > this.#retry.maxElapsedTimeMs) return undefined;
    return delayMs;
  }
}
