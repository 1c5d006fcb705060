/**
 * Reconnection delays of the remote-decisions client: the one backoff of Headroom
 * ({@link ExponentialBackoff}, +/-50 % jitter as the Collector's), doubling from `initialMs` up to
 * `maxMs`, never giving up (a service follows its agent for as long as it runs). The jitter keeps
 * many services cut off by the same agent restart from all coming back at the same instant.
 */
import { ExponentialBackoff, type RetryPolicy } from '../../agent/index.ts';

/** Options of the reconnection backoff (`connectDecisions({ backoff })`). */
export interface BackoffOptions {
  /** First interval, ms (each delay is 50 % to 150 % of its interval). @default 500 */
  readonly initialMs?: number;
  /** Largest interval, ms. @default 30000 */
  readonly maxMs?: number;
  /** Source of jitter in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/** The reconnection policy of `options`; invalid values fall back to the defaults. */
function reconnectPolicy(options: BackoffOptions = {}): RetryPolicy {
  const initialIntervalMs = positive(options.initialMs, 500);
  return {
    enabled: true,
    initialIntervalMs,
    maxIntervalMs: Math.max(initialIntervalMs, positive(options.maxMs, 30_000)),
    multiplier: 2,
    maxElapsedTimeMs: Number.POSITIVE_INFINITY,
  };
}

/**
 * The reconnection backoff of `options`, counting from `nowMs`.
 * @example
 * const backoff = reconnectBackoff({ initialMs: 500 }, clock.now());
 * await sleep(clock, backoff.nextDelayMs(clock.now()) ?? 0, signal); // 250..750 ms, then 500..1500 ms, ...
 */
export function reconnectBackoff(options: BackoffOptions | undefined, nowMs: number): ExponentialBackoff {
  return new ExponentialBackoff(reconnectPolicy(options), nowMs, options?.random);
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}
