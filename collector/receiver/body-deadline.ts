/**
 * Deadlines of a request body, as Kestrel's `MinRequestBodyDataRate` and nginx's
 * `client_body_timeout` set them: the whole body within a total time, and, once a grace period has
 * passed, an average rate since the headers of at least a minimum. A sender that trickles one byte
 * every few seconds misses the rate at the end of the grace period, whatever the total allows.
 * One timer per body, re-armed only when it fires (never per chunk).
 */
import type { Clock, TimerHandle } from '../../agent/index.ts';
import { formatMs } from '../../config/index.ts';

/** Limits of one body. */
export interface BodyDeadlineOptions {
  /** The whole body must arrive within this after the headers, ms. */
  readonly timeoutMs: number;
  /** Bytes per second the body must average once `graceMs` has passed. */
  readonly minBytesPerSecond: number;
  /** Time before the minimum rate applies, ms. */
  readonly graceMs: number;
  /** Reads the time and runs the timer (the agent's clock). */
  readonly clock: Clock;
}

/** Why a body missed its deadline. */
export interface DeadlineMiss {
  readonly kind: 'timeout' | 'too_slow';
  /** The sentence a 408 carries. */
  readonly reason: string;
}

/** Watches one body's progress; calls `onMiss` at most once, unless stopped first. */
export class BodyDeadline {
  readonly #options: BodyDeadlineOptions;
  readonly #clock: Clock;
  readonly #onMiss: (miss: DeadlineMiss) => void;
  readonly #startedMs: number;
  #bytes = 0;
  #timer: TimerHandle | undefined;

  constructor(options: BodyDeadlineOptions, onMiss: (miss: DeadlineMiss) => void) {
    this.#options = options;
    this.#clock = options.clock;
    this.#onMiss = onMiss;
    this.#startedMs = this.#clock.now();
    this.#arm(Math.min(options.timeoutMs, options.graceMs));
  }

  /** Counts `bytes` more received (as sent, before decompression). */
  add(bytes: number): void {
    this.#bytes += bytes;
  }

  /** Stops watching: the body is complete or the request is gone. Idempotent. */
  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #arm(atMs: number): void {
    const delayMs = Math.max(1, Math.ceil(atMs - (this.#clock.now() - this.#startedMs)));
    // The clock's timers are unref'd: a body still arriving never keeps the process alive.
    this.#timer = this.#clock.after(delayMs, () => this.#check());
  }

  #check(): void {
    const { timeoutMs, minBytesPerSecond, graceMs } = this.#options;
    const elapsedMs = this.#clock.now() - this.#startedMs;
    // The time at which the bytes so far stop meeting the minimum average rate.
    const enoughUntilMs = (this.#bytes / minBytesPerSecond) * 1000;
    if (elapsedMs >= timeoutMs) {
      this.#miss('timeout', `request body not received within ${formatMs(timeoutMs)}`);
    } else if (elapsedMs >= graceMs && enoughUntilMs < elapsedMs) {
      this.#miss('too_slow', `request body arrived slower than ${minBytesPerSecond} bytes per second`);
    } else {
      this.#arm(Math.min(timeoutMs, Math.max(graceMs, enoughUntilMs)));
    }
  }

  #miss(kind: DeadlineMiss['kind'], reason: string): void {
    this.#timer = undefined;
    this.#onMiss({ kind, reason });
  }
}
