/**
 * When to retry a failed delivery: exponential backoff with full jitter (AWS Architecture Blog,
 * "Exponential Backoff And Jitter"), unless the receiver said when with Retry-After.
 */
import type { Clock } from '../../agent/index.ts';
import type { Sleep } from './types.ts';

/** Ceiling of the first retry's delay, ms. */
export const DEFAULT_BACKOFF_BASE_MS = 500;
/** Largest ceiling of a retry's delay, ms. */
export const DEFAULT_BACKOFF_CAP_MS = 30_000;
/** A Retry-After longer than this is cut to it, ms: a delivery never waits more than 5 minutes. */
export const MAX_RETRY_AFTER_MS = 300_000;

/** The backoff schedule of a channel. */
export interface BackoffOptions {
  /** Ceiling of the first retry's delay, ms. */
  readonly baseMs: number;
  /** Largest ceiling, ms. */
  readonly capMs: number;
  /** Uniform source in [0, 1). */
  readonly random: () => number;
}

/**
 * Delay before retry number `retry` (0 for the first), ms: uniform in [0, min(cap, base x 2^retry)),
 * or the receiver's Retry-After (at most {@link MAX_RETRY_AFTER_MS}) when it sent one.
 */
export function retryDelayMs(retry: number, options: BackoffOptions, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), MAX_RETRY_AFTER_MS);
  const ceilingMs = Math.min(options.capMs, options.baseMs * 2 ** retry);
  return options.random() * ceilingMs;
}

/** A {@link Sleep} on `clock`'s timers (real ones are unref'd: a pending retry never holds the process). */
export function clockSleep(clock: Clock): Sleep {
  return (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      // Clock.every with 0 would fire in a loop; 1 ms is the shortest real timer anyway.
      const timer = clock.every(Math.max(1, ms), () => done());
      const done = () => {
        timer.cancel();
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done, { once: true });
    });
}
