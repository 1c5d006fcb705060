/**
 * A span processor with the resilience of the OpenTelemetry Collector's exporterhelper: a bounded
 * queue (spans beyond it are dropped and counted, never buffered), batches, one request at a time,
 * retries of retryable failures with exponential backoff and jitter up to a maximum elapsed time.
 * Every span handed to it ends up counted: exported, dropped by reason, or still queued.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { diag, TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { ExponentialBackoff } from './exponential-backoff.ts';
import { ExportLifecycle } from './export-lifecycle.ts';
import type { DropReason, OtlpExportStats, OtlpRetryConfig, SendResult, SpanBatchSender } from './types.ts';

export interface ResilientSpanProcessorOptions {
  /** Posts one batch once. */
  readonly sender: SpanBatchSender;
  /** Most spans held (waiting plus in flight); more are dropped as `queue_full`. */
  readonly maxQueueSize: number;
  /** Most spans per request; clamped to `maxQueueSize`. */
  readonly batchSize: number;
  readonly retry: OtlpRetryConfig;
  /** Bound of forceFlush(), ms. */
  readonly timeoutMs: number;
  /** Bound of shutdown(), ms; spans not delivered by then are dropped (`shutdown`). @default timeoutMs */
  readonly shutdownTimeoutMs?: number;
  /** Longest a span waits for a batch to fill before it is sent anyway, ms. @default 5000 */
  readonly scheduledDelayMs?: number;
  /** Uniform source in [0, 1) for backoff jitter, for tests. @default Math.random */
  readonly random?: () => number;
}

/** Exports sampled spans in batches through a bounded queue with retries; see the module doc. */
export class ResilientSpanProcessor extends ExportLifecycle implements SpanProcessor {
  readonly #sender: SpanBatchSender;
  readonly #maxQueueSize: number;
  readonly #batchSize: number;
  readonly #retry: OtlpRetryConfig;
  readonly #scheduledDelayMs: number;
  readonly #random: () => number;
  /** Aborted at the shutdown deadline: cancels backoff sleeps and the request in flight. */
  readonly #stop = new AbortController();
  readonly #dropped: Record<DropReason, number> = {
    queue_full: 0,
    retries_exhausted: 0,
    non_retryable: 0,
    shutdown: 0,
  };
  readonly #warned = new Set<DropReason>();
  #queue: ReadableSpan[] = [];
  /** The batch being sent or awaiting a retry; `undefined` once its outcome is counted. */
  #inFlight: readonly ReadableSpan[] | undefined;
  #exported = 0;
  #retries = 0;
  #timer: NodeJS.Timeout | undefined;
  #draining: Promise<void> | undefined;
  /** Send partial batches too (timer fired, flush or shutdown), not only full ones. */
  #drainAll = false;

  constructor(options: ResilientSpanProcessorOptions) {
    super('headroom OTLP span processor', options.timeoutMs, options.shutdownTimeoutMs);
    this.#sender = options.sender;
    this.#maxQueueSize = options.maxQueueSize;
    this.#batchSize = Math.min(options.batchSize, options.maxQueueSize);
    this.#retry = options.retry;
    this.#scheduledDelayMs = options.scheduledDelayMs ?? 5000;
    this.#random = options.random ?? Math.random;
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    try {
      if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return; // recorded, not exported
      if (this.isShutdown) {
        this.#drop('shutdown', 1);
      } else if (this.#queue.length + (this.#inFlight?.length ?? 0) >= this.#maxQueueSize) {
        this.#drop('queue_full', 1);
      } else {
        this.#queue.push(span);
        if (this.#queue.length >= this.#batchSize) this.#startDraining(false);
        else this.#armTimer();
      }
    } catch (error) {
      diag.error('headroom: could not queue a span for OTLP export', error);
    }
  }

  /** A snapshot of the counters; see {@link OtlpExportStats}. */
  stats(): OtlpExportStats {
    return {
      exported: this.#exported,
      dropped: { ...this.#dropped },
      retries: this.#retries,
      queueSize: this.#queue.length + (this.#inFlight?.length ?? 0),
      queueCapacity: this.#maxQueueSize,
    };
  }

  protected override async onForceFlush(): Promise<void> {
    this.#startDraining(true);
    while (this.#draining !== undefined) await this.#draining;
  }

  protected override async onShutdown(deadline: AbortSignal): Promise<void> {
    const abandon = (): void => this.#abandon();
    deadline.addEventListener('abort', abandon, { once: true });
    try {
      this.#startDraining(true);
      while (this.#draining !== undefined) await this.#draining;
    } finally {
      deadline.removeEventListener('abort', abandon);
      this.#abandon();
      this.#sender.shutdown();
    }
  }

  /** Stops all work and counts every span still held as dropped at shutdown. */
  #abandon(): void {
    this.#stop.abort();
    clearTimeout(this.#timer);
    const held = this.#queue.length + (this.#inFlight?.length ?? 0);
    this.#queue = [];
    this.#inFlight = undefined;
    if (held > 0) this.#drop('shutdown', held);
  }

  #armTimer(): void {
    if (this.#timer !== undefined || this.#draining !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#startDraining(true);
    }, this.#scheduledDelayMs);
    this.#timer.unref();
  }

  #startDraining(all: boolean): void {
    this.#drainAll ||= all;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#draining !== undefined || this.#stop.signal.aborted) return;
    // Background loop; #drain catches everything, so this promise never rejects.
    this.#draining = this.#drain().finally(() => {
      this.#draining = undefined;
      const flushing = this.#drainAll;
      this.#drainAll = false;
      // A flush asked for while the loop was ending still gets its partial batch sent.
      if (flushing && this.#queue.length > 0) this.#startDraining(true);
      else if (this.#queue.length > 0 && !this.isShutdown) this.#armTimer();
    });
  }

  async #drain(): Promise<void> {
    while (
      !this.#stop.signal.aborted &&
      (this.#queue.length >= this.#batchSize || (this.#drainAll && this.#queue.length > 0))
    ) {
      const batch = this.#queue.splice(0, this.#batchSize);
      this.#inFlight = batch;
      try {
        await this.#deliver(batch);
      } catch (error) {
        diag.error('headroom: OTLP span export failed unexpectedly', error);
        const failure = error instanceof Error ? error : new Error(String(error));
        if (this.#inFlight === batch) this.#settle(batch, { status: 'failure', error: failure });
      }
    }
  }

  /** Sends `batch`, retrying retryable failures, until it is counted as exported or dropped. */
  async #deliver(batch: readonly ReadableSpan[]): Promise<void> {
    const backoff = new ExponentialBackoff(this.#retry, Date.now(), this.#random);
    for (;;) {
      const result = await this.#sender.send(batch, this.#stop.signal);
      if (this.#inFlight !== batch) return; // already counted at shutdown
      const delayMs =
        result.status === 'retryable' ? backoff.nextDelayMs(Date.now(), result.retryAfterMs) : undefined;
      if (delayMs === undefined) {
        this.#settle(batch, result);
        return;
      }
      await sleep(delayMs, undefined, { signal: this.#stop.signal, ref: false }).catch(() => undefined);
      if (this.#inFlight !== batch) return;
      this.#retries++;
    }
  }

  #settle(batch: readonly ReadableSpan[], result: SendResult): void {
    this.#inFlight = undefined;
    if (result.status === 'success') {
      const rejected = Math.min(result.rejected, batch.length);
      this.#exported += batch.length - rejected;
      this.#warned.clear();
      if (rejected > 0) this.#drop('non_retryable', rejected, 'the backend rejected them (partial success)');
      return;
    }
    const reason = result.status === 'retryable' ? 'retries_exhausted' : 'non_retryable';
    this.#drop(reason, batch.length, result.error.message);
  }

  #drop(reason: DropReason, count: number, why?: string): void {
    this.#dropped[reason] += count;
    // One warning per reason until an export succeeds again; the counters carry the rest.
    if (this.#warned.has(reason)) return;
    this.#warned.add(reason);
    diag.warn(
      `headroom: dropped ${count} span(s) for OTLP export (${reason}${why === undefined ? '' : `: ${why}`})`,
    );
  }
}
