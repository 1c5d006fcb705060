/**
 * What every channel shares: a bounded queue drained by one worker in batches, retries with
 * backoff, counters, and a shutdown that flushes within a deadline. Subclasses turn events into
 * queue items (`send`) and make one delivery attempt of a batch (`attempt`).
 */
import { diag } from '@opentelemetry/api';
import type { AlertEvent } from '../../agent/index.ts';
import { type Clock, systemClock } from '../../agent/index.ts';
import {
  type BackoffOptions,
  clockSleep,
  DEFAULT_BACKOFF_BASE_MS,
  DEFAULT_BACKOFF_CAP_MS,
  retryDelayMs,
} from './backoff.ts';
import { BoundedQueue } from './bounded-queue.ts';
import type { PostResult } from './http-post.ts';
import type { AlertChannel, AlertDropReason, ChannelDeps, ChannelStats, Sleep } from './types.ts';
import { ALERT_DROP_REASONS } from './types.ts';

/** Items a channel holds by default. */
export const DEFAULT_QUEUE_CAPACITY = 1000;
/** How long shutdown() waits for the queue to drain by default, ms. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5000;

/** How a subclass configures its queue and retries. */
export interface QueueOptions<T> {
  readonly name: string;
  /** Items per attempt. */
  readonly batchSize: number;
  /** Retries of a batch after a retryable failure before it is dropped. */
  readonly maxRetries: number;
  /** Identity of an item: a newer item replaces a queued one with the same key. */
  readonly keyOf?: (item: T) => string;
}

/**
 * Base of the channels: `send` converts and calls `enqueue`; one worker takes batches from the
 * queue on a microtask and calls `attempt` until it succeeds, fails for good or runs out of
 * retries; `shutdown` stops new items, flushes within its timeout and drops the rest (counted).
 */
export abstract class QueuedChannel<T> implements AlertChannel {
  readonly name: string;
  protected readonly clock: Clock;
  readonly #queue: BoundedQueue<T>;
  readonly #options: QueueOptions<T>;
  readonly #backoff: BackoffOptions;
  readonly #sleep: Sleep;
  // Aborted once the shutdown deadline passes: in-flight requests and backoff waits stop.
  readonly #stop = new AbortController();
  readonly #dropped = Object.fromEntries(ALERT_DROP_REASONS.map((r) => [r, 0])) as Record<
    AlertDropReason,
    number
  >;
  #sent = 0;
  #failed = 0;
  #retries = 0;
  #inFlight = 0;
  #draining: Promise<void> | undefined;
  #shutdown: Promise<void> | undefined;

  constructor(options: QueueOptions<T>, deps: ChannelDeps) {
    this.name = options.name;
    this.#options = options;
    this.clock = deps.clock ?? systemClock;
    this.#queue = new BoundedQueue(deps.queueCapacity ?? DEFAULT_QUEUE_CAPACITY, options.keyOf);
    this.#sleep = deps.sleep ?? clockSleep(this.clock);
    this.#backoff = {
      baseMs: deps.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS,
      capMs: deps.backoffCapMs ?? DEFAULT_BACKOFF_CAP_MS,
      random: deps.random ?? Math.random,
    };
  }

  /** Queues `event`; never throws. */
  abstract send(event: AlertEvent): void;

  /** One delivery attempt of `batch`; resolves (never rejects) with its outcome. */
  protected abstract attempt(batch: readonly T[], signal: AbortSignal): Promise<PostResult>;

  /** Called once when shutdown starts, before the final flush: stop producing items. */
  protected onShutdown(): void {}

  /** true once shutdown() was called. */
  protected get closed(): boolean {
    return this.#shutdown !== undefined;
  }

  stats(): ChannelStats {
    const droppedBy = { ...this.#dropped };
    const dropped = Object.values(droppedBy).reduce((sum, n) => sum + n, 0);
    const queued = this.#queue.size + this.#inFlight;
    return { sent: this.#sent, failed: this.#failed, retries: this.#retries, dropped, droppedBy, queued };
  }

  shutdown(timeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS): Promise<void> {
    if (this.#shutdown !== undefined) {
      diag.debug(`headroom: alert channel ${this.name}: shutdown() called again; ignored`);
      return this.#shutdown;
    }
    this.#shutdown = this.#close(timeoutMs);
    return this.#shutdown;
  }

  /** Queues `item` for delivery; after shutdown, drops it. */
  protected enqueue(item: T): void {
    if (this.closed) {
      this.drop('shutdown', 1);
      return;
    }
    if (this.#queue.push(item)) this.drop('queue_full', 1);
    this.#schedule();
  }

  /** Counts `count` items given up for `reason`. */
  protected drop(reason: AlertDropReason, count: number): void {
    this.#dropped[reason] += count;
  }

  #schedule(): void {
    if (this.#draining !== undefined || this.#stop.signal.aborted) return;
    // Drains on a microtask: the caller's synchronous work goes first, and the events it emits
    // in the same tick share a batch. #drain never rejects.
    this.#draining = Promise.resolve()
      .then(() => this.#drain())
      .finally(() => {
        this.#draining = undefined;
        if (this.#queue.size > 0) this.#schedule();
      });
  }

  async #drain(): Promise<void> {
    while (this.#queue.size > 0 && !this.#stop.signal.aborted) {
      const batch = this.#queue.take(this.#options.batchSize);
      this.#inFlight = batch.length;
      const outcome = await this.#deliver(batch).catch((error: unknown) => {
        diag.error(`headroom: alert channel ${this.name}: delivery failed unexpectedly`, error);
        return 'non_retryable' as const;
      });
      this.#inFlight = 0;
      if (outcome === 'sent') this.#sent += batch.length;
      else this.drop(outcome, batch.length);
    }
  }

  /** Attempts `batch` until it is sent or given up (and why). */
  async #deliver(batch: readonly T[]): Promise<'sent' | AlertDropReason> {
    const signal = this.#stop.signal;
    for (let retry = 0; ; retry++) {
      const result = await this.attempt(batch, signal);
      if (result.status === 'ok') return 'sent';
      if (signal.aborted) return 'shutdown';
      this.#failed++;
      if (result.status === 'failed') return this.#giveUp('non_retryable', batch.length, result.error);
      if (retry >= this.#options.maxRetries) {
        return this.#giveUp('retries_exhausted', batch.length, result.error);
      }
      await this.#sleep(retryDelayMs(retry, this.#backoff, result.retryAfterMs), signal);
      if (signal.aborted) return 'shutdown';
      this.#retries++;
    }
  }

  #giveUp(reason: AlertDropReason, count: number, error: string): AlertDropReason {
    diag.warn(`headroom: alert channel ${this.name}: ${count} alert(s) dropped (${reason}): ${error}`);
    return reason;
  }

  async #close(timeoutMs: number): Promise<void> {
    try {
      this.onShutdown();
    } catch (error) {
      diag.error(`headroom: alert channel ${this.name}: shutdown hook failed`, error);
    }
    // A real, ref'd timer: the host asked to wait this long, so code after `await shutdown()`
    // must run even when only unref'd work (a backoff wait) is pending; it is cleared below.
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([this.#flush(), expired]);
    clearTimeout(timer);
    this.#stop.abort();
    await this.#draining;
    const left = this.#queue.clear();
    if (left > 0) this.drop('shutdown', left);
  }

  async #flush(): Promise<void> {
    while (this.#draining !== undefined) await this.#draining;
  }
}
