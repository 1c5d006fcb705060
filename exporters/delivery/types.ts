/**
 * The contract of the delivery engine: the outcome of one attempt, why items are dropped, the
 * counters it keeps, and how each consumer sets it up. Settings where consumers differ, and why,
 * are in one place: the table in the module doc of delivery-queue.ts.
 */
import type { Clock, RetryPolicy } from '../../agent/index.ts';

/** Outcome of one attempt (no retry), as a value: sending never throws. */
export type DeliveryResult =
  | {
      readonly status: 'success';
      /** Items the receiver refused in a partial success (they must not be retried). */
      readonly rejected: number;
    }
  | {
      readonly status: 'retryable';
      /** Delay the receiver asked for with Retry-After, ms. */
      readonly retryAfterMs?: number;
      readonly error: Error;
    }
  | { readonly status: 'failure'; readonly error: Error };

/** What a transport answers: a {@link DeliveryResult} whose success keeps the reply bytes (OTLP partial success). */
export type TransportResult =
  | Exclude<DeliveryResult, { status: 'success' }>
  | { readonly status: 'success'; readonly rejected: number; readonly body: Uint8Array };

/**
 * One request to a backend, no retry (the delivery queue decides what happens next), never
 * rejecting: `HttpTransport` (OTLP/HTTP) and `GrpcTransport` (OTLP/gRPC) both fit it.
 */
export interface Transport {
  /** Sends `body` once; resolves with the classified outcome, or a failure once `signal` aborts. */
  send(body: Uint8Array, signal: AbortSignal): Promise<TransportResult>;
  /** Releases connections. */
  shutdown(): void;
}

/**
 * Why items were dropped; the `reason` label of `headroom_exporter_dropped_spans_total`,
 * `headroom_forwarder_dropped_*` and `headroom_alert_notifications_dropped_total`.
 */
export const DROP_REASONS = Object.freeze([
  'queue_full',
  'retries_exhausted',
  'non_retryable',
  'shutdown',
] as const);
/** One of {@link DROP_REASONS}. */
export type DropReason = (typeof DROP_REASONS)[number];

/**
 * What to do with an item that does not fit: `newest` refuses it (the Collector's sending queue
 * without `block_on_overflow`); `oldest` evicts the oldest waiting items to make room.
 */
export type OverflowPolicy = 'drop_newest' | 'drop_oldest';

/**
 * Counters of one queue. Every item offered is in exactly one place:
 * `sentItems + rejected + sum(dropped) + queuedItems + keptItems` (replacements by key aside).
 */
export interface DeliveryStats {
  /** Items the receiver accepted. */
  readonly sentItems: number;
  /** Batches the receiver accepted. */
  readonly sentBatches: number;
  /** Items dropped, by reason (a partial success's refused items count as `non_retryable`). */
  readonly dropped: Readonly<Record<DropReason, number>>;
  /** Attempts that failed, retried or not (not counting those cut off at shutdown). */
  readonly failedAttempts: number;
  /** Attempts re-made after a retryable failure. */
  readonly retries: number;
  /** Items waiting or in flight. */
  readonly queuedItems: number;
  /** Bytes waiting or in flight. */
  readonly queuedBytes: number;
  /** Most items held. */
  readonly capacity: number;
  /** Items held at shutdown and kept by the consumer for its next start (`keepAtShutdown`), not dropped. */
  readonly keptItems: number;
}

/** How one consumer sets up its queue. */
export interface DeliveryQueueOptions<T> {
  /** For diagnostics: `headroom: dropped 5 span(s) for <name> (<reason>)`, e.g. `OTLP export`. */
  readonly name: string;
  /** What an item is, for diagnostics. @default 'item(s)' */
  readonly itemsLabel?: string;
  /** One attempt of `batch`; resolves (a rejection counts as `non_retryable`) when done or aborted. */
  readonly send: (batch: readonly T[], signal: AbortSignal) => Promise<DeliveryResult>;
  /** Most items held; with `drop_newest` the batch in flight counts, with `drop_oldest` only waiting ones. */
  readonly capacity: number;
  /** Most bytes held (waiting and in flight). @default Infinity */
  readonly maxBytes?: number;
  readonly overflow: OverflowPolicy;
  /** Identity of an item: a newer one replaces a waiting one with the same key, in place. */
  readonly keyOf?: (item: T) => string;
  /** Most items per attempt; an entry larger than this goes alone. */
  readonly batchSize: number;
  /** Longest a partial batch waits for more items, ms; 0 sends on the next microtask. @default 0 */
  readonly batchDelayMs?: number;
  readonly retry: RetryPolicy;
  /** Retries of one batch at most, besides `retry.maxElapsedTimeMs`. @default Infinity */
  readonly maxRetries?: number;
  /** Timers and time. */
  readonly clock: Clock;
  /** Uniform source in [0, 1) for the backoff jitter. @default Math.random */
  readonly random?: () => number;
  /**
   * Told of each batch once it is settled, sent or dropped (not of one abandoned at shutdown), e.g.
   * to remove it from a store; must not throw.
   */
  readonly onSettled?: (batch: readonly T[]) => void;
  /** At shutdown, items still held are kept by the consumer (on disk) instead of dropped. @default false */
  readonly keepAtShutdown?: boolean;
  /** Holds what is offered, sending nothing, until `resume()`. @default false */
  readonly paused?: boolean;
  /** Waits between retries (a test seam); may resolve early when `signal` aborts. @default sleep on `clock` */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** How many items, and bytes, one offered entry holds. */
export interface EntrySize {
  /** @default 1 */
  readonly items?: number;
  /** @default 0 */
  readonly bytes?: number;
}
