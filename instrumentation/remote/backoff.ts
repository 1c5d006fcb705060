/**
 * Exponential backoff with "equal jitter": the n-th delay is a random point in the upper half of
 * min(maxMs, initialMs x 2^n), so many services cut off by the same agent restart do not all come
 * back at the same instant, yet none retries sooner than half the nominal delay.
 */

/** Options of {@link Backoff}. */
export interface BackoffOptions {
  /** First nominal delay, ms. @default 500 */
  readonly initialMs?: number;
  /** Largest nominal delay, ms. @default 30000 */
  readonly maxMs?: number;
  /** Source of jitter in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/**
 * @example
 * const backoff = new Backoff({ initialMs: 500, maxMs: 30_000 });
 * setTimeout(reconnect, backoff.next()); // 250..500 ms, then 500..1000 ms, ...
 */
export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.#initialMs = positive(options.initialMs, 500);
    this.#maxMs = Math.max(this.#initialMs, positive(options.maxMs, 30_000));
    this.#random = options.random ?? Math.random;
  }

  /** The delay before the next attempt, ms; each call doubles the nominal delay up to `maxMs`. */
  next(): number {
    // 2^attempt overflows to Infinity long after it passed maxMs; min() keeps it bounded.
    const nominalMs = Math.min(this.#maxMs, this.#initialMs * 2 ** this.#attempt);
    this.#attempt++;
    return nominalMs / 2 + (nominalMs / 2) * this.#random();
  }

  /** Back to the first delay (after a connection that worked). */
  reset(): void {
    this.#attempt = 0;
  }
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}
