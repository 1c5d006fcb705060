/**
 * A span processor with the resilience of the OpenTelemetry Collector's exporterhelper, on the
 * one delivery engine ({@link DeliveryQueue}): a bounded queue (spans beyond it are dropped and
 * counted, never buffered), batches, one request at a time, retries of retryable failures with
 * exponential backoff and jitter up to a maximum elapsed time. Every span handed to it ends up
 * counted: exported, dropped by reason, or still queued.
 */
import { diag, TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { type Clock, type RetryPolicy, systemClock } from '../../agent/index.ts';
import { DeliveryQueue, within } from '../delivery/index.ts';
import type { OtlpExportStats, SpanBatchSender } from './types.ts';

export interface ResilientSpanProcessorOptions {
  /** Posts one batch once. */
  readonly sender: SpanBatchSender;
  /** Most spans held (waiting plus in flight); more are dropped as `queue_full`. */
  readonly maxQueueSize: number;
  /** Most spans per request; clamped to `maxQueueSize`. */
  readonly batchSize: number;
  readonly retry: RetryPolicy;
  /** Bound of forceFlush(), ms. */
  readonly timeoutMs: number;
  /** Bound of shutdown(), ms; spans not delivered by then are dropped (`shutdown`). @default timeoutMs */
  readonly shutdownTimeoutMs?: number;
  /** Longest a span waits for a batch to fill before it is sent anyway, ms. @default 5000 */
  readonly scheduledDelayMs?: number;
  /** Timers and time (backoff, batch delay, bounds). @default systemClock */
  readonly clock?: Clock;
  /** Uniform source in [0, 1) for backoff jitter, for tests. @default Math.random */
  readonly random?: () => number;
}

/** Exports sampled spans in batches through a bounded queue with retries; see the module doc. */
export class ResilientSpanProcessor implements SpanProcessor {
  readonly #sender: SpanBatchSender;
  readonly #queue: DeliveryQueue<ReadableSpan>;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #shutdownTimeoutMs: number;
  #shutdown: Promise<void> | undefined;

  constructor(options: ResilientSpanProcessorOptions) {
    this.#sender = options.sender;
    this.#clock = options.clock ?? systemClock;
    this.#timeoutMs = options.timeoutMs;
    this.#shutdownTimeoutMs = options.shutdownTimeoutMs ?? options.timeoutMs;
    this.#queue = new DeliveryQueue<ReadableSpan>({
      name: 'OTLP export',
      itemsLabel: 'span(s)',
      send: (spans, signal) => this.#sender.send(spans, signal),
      capacity: options.maxQueueSize,
      overflow: 'drop_newest',
      batchSize: Math.min(options.batchSize, options.maxQueueSize),
      batchDelayMs: options.scheduledDelayMs ?? 5000,
      retry: options.retry,
      clock: this.#clock,
      random: options.random,
    });
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    try {
      if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return; // recorded, not exported
      this.#queue.offer(span);
    } catch (error) {
      diag.error('headroom: could not queue a span for OTLP export', error);
    }
  }

  /** A snapshot of the counters; see {@link OtlpExportStats}. */
  stats(): OtlpExportStats {
    const s = this.#queue.stats();
    return {
      exported: s.sentItems,
      dropped: s.dropped,
      retries: s.retries,
      queueSize: s.queuedItems,
      queueCapacity: s.capacity,
    };
  }

  /** Sends what is queued, waiting at most `timeoutMs` (what is left stays queued); after shutdown, waits for it. */
  async forceFlush(): Promise<void> {
    if (this.#shutdown !== undefined) return this.#shutdown;
    const inTime = await within(this.#clock, this.#timeoutMs, this.#queue.flush());
    if (!inTime)
      diag.warn(`headroom OTLP span processor: forceFlush did not finish within ${this.#timeoutMs} ms`);
  }

  /** Flushes within `shutdownTimeoutMs`, drops (and counts) the rest, then closes connections. Idempotent. */
  shutdown(): Promise<void> {
    if (this.#shutdown !== undefined) {
      diag.debug('headroom OTLP span processor: shutdown() called again; ignored');
      return this.#shutdown;
    }
    this.#shutdown = this.#queue.shutdown(this.#shutdownTimeoutMs).then((inTime) => {
      if (!inTime)
        diag.warn(
          `headroom OTLP span processor: shutdown did not finish within ${this.#shutdownTimeoutMs} ms`,
        );
      this.#sender.shutdown();
    });
    return this.#shutdown;
  }
}
