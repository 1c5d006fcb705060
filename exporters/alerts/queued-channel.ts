/**
 * What every channel shares, on the one delivery engine ({@link DeliveryQueue}): a bounded queue
 * that evicts its oldest items (optionally keyed, a newer state replacing a queued one), drained
 * by one worker in batches, retries with the shared backoff, counters, and a shutdown that flushes
 * within a deadline. Subclasses turn events into queue items (`send`) and make one delivery
 * attempt of a batch (`attempt`).
 */
import { diag } from '@opentelemetry/api';
import type { AlertEvent, Clock, RetryPolicy } from '../../agent/index.ts';
import { systemClock } from '../../agent/index.ts';
import { DeliveryQueue, type DeliveryResult } from '../delivery/index.ts';
import {
  ALERT_DROP_REASONS,
  type AlertChannel,
  type AlertDropReason,
  type ChannelDeps,
  type ChannelStats,
} from './types.ts';

/** Items a channel holds by default. */
export const DEFAULT_QUEUE_CAPACITY = 1000;
/** How long shutdown() waits for the queue to drain by default, ms. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5000;
/** First retry interval of alert deliveries, ms (+/-50 %): alerts are urgent, unlike telemetry's 5 s. */
const DEFAULT_BACKOFF_BASE_MS = 500;
/** Largest retry interval of alert deliveries, ms. */
const DEFAULT_BACKOFF_CAP_MS = 30_000;
/** Alert deliveries stop retrying when the next attempt would start later than this, ms. */
const ALERT_MAX_ELAPSED_MS = 300_000;

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
 * Base of the channels: `send` converts and calls `enqueue`; the queue's worker takes batches on
 * a microtask and calls `attempt` until it succeeds, fails for good or runs out of retries;
 * `shutdown` stops new items, flushes within its timeout and drops the rest (counted).
 */
export abstract class QueuedChannel<T> implements AlertChannel {
  readonly name: string;
  protected readonly clock: Clock;
  readonly #queue: DeliveryQueue<T>;
  #invalid = 0;
  #shutdown: Promise<void> | undefined;

  constructor(options: QueueOptions<T>, deps: ChannelDeps) {
    this.name = options.name;
    this.clock = deps.clock ?? systemClock;
    const retry: RetryPolicy = {
      enabled: true,
      initialIntervalMs: deps.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS,
      maxIntervalMs: deps.backoffCapMs ?? DEFAULT_BACKOFF_CAP_MS,
      multiplier: 2,
      maxElapsedTimeMs: ALERT_MAX_ELAPSED_MS,
    };
    this.#queue = new DeliveryQueue<T>({
      name: `alert channel ${options.name}`,
      itemsLabel: 'alert(s)',
      send: (batch, signal) => this.attempt(batch, signal),
      capacity: deps.queueCapacity ?? DEFAULT_QUEUE_CAPACITY,
      overflow: 'drop_oldest',
      keyOf: options.keyOf,
      batchSize: options.batchSize,
      retry,
      maxRetries: options.maxRetries,
      clock: this.clock,
      random: deps.random,
      sleep: deps.sleep,
    });
  }

  /** Queues `event`; never throws. */
  abstract send(event: AlertEvent): void;

  /** One delivery attempt of `batch`; resolves (never rejects) with its outcome. */
  protected abstract attempt(batch: readonly T[], signal: AbortSignal): Promise<DeliveryResult>;

  /** Called once when shutdown starts, before the final flush: stop producing items. */
  protected onShutdown(): void {}

  /** Called once when shutdown has ended: release connections. */
  protected onStopped(): void {}

  /** true once shutdown() was called. */
  protected get closed(): boolean {
    return this.#shutdown !== undefined;
  }

  stats(): ChannelStats {
    const s = this.#queue.stats();
    const counts: Record<AlertDropReason, number> = { ...s.dropped, invalid: this.#invalid };
    // In ALERT_DROP_REASONS order: the order of the metric's series.
    const droppedBy = Object.fromEntries(ALERT_DROP_REASONS.map((r) => [r, counts[r]])) as typeof counts;
    const dropped = Object.values(droppedBy).reduce((sum, n) => sum + n, 0);
    return {
      sent: s.sentItems,
      failed: s.failedAttempts,
      retries: s.retries,
      dropped,
      droppedBy,
      queued: s.queuedItems,
    };
  }

  shutdown(timeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS): Promise<void> {
    if (this.#shutdown !== undefined) {
      diag.debug(`headroom: alert channel ${this.name}: shutdown() called again; ignored`);
      return this.#shutdown;
    }
    try {
      this.onShutdown();
    } catch (error) {
      diag.error(`headroom: alert channel ${this.name}: shutdown hook failed`, error);
    }
    this.#shutdown = this.#queue.shutdown(timeoutMs).then(() => this.onStopped());
    return this.#shutdown;
  }

  /** Queues `item` for delivery; after shutdown, drops it. */
  protected enqueue(item: T): void {
    this.#queue.offer(item);
  }

  /** Counts `count` items given up for `reason`. */
  protected drop(reason: AlertDropReason, count: number): void {
    if (reason === 'invalid') this.#invalid += count;
    else this.#queue.drop(reason, count);
  }
}
