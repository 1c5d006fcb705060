/**
 * The one delivery engine: a bounded queue drained by one worker in batches, retries with the
 * Collector-style {@link ExponentialBackoff} (Retry-After honoured, `maxElapsedTimeMs` bounding a
 * batch), drops counted by reason, a shutdown bounded on the clock. It serves OTLP span export,
 * collector-mode forwarding and the alert channels; where they differ, on purpose:
 *
 * | consumer      | items               | overflow                  | batch             | retries          |
 * |---------------|---------------------|---------------------------|-------------------|------------------|
 * | OTLP spans    | spans               | drop newest (Collector)   | `queue.batchSize`, waits 5 s | `exporters.otlp.retry` |
 * | forwarding    | spans / data points, plus bytes | drop newest   | one request as received | `exporters.otlp.retry` |
 * | webhook       | events              | drop oldest               | 1                 | `maxRetries`, alert backoff |
 * | Alertmanager  | alerts, keyed by label set (replace in place) | drop oldest | 64 (Prometheus) | 5, alert backoff |
 * | log           | lines               | drop oldest               | 1                 | none             |
 *
 * Telemetry sheds new data when its receiver is down (old spans still explain the outage); an
 * alert receiver wants the latest state, so alerts evict the oldest. Every item offered ends up
 * sent, dropped by reason, or still queued. A consumer that keeps its items on disk (collector-mode
 * forwarding with a store) hears of each settled batch (`onSettled`) to forget it, and at shutdown
 * what is still held is kept for the next start (`keepAtShutdown`), not dropped.
 */
import { diag } from '@opentelemetry/api';
import { ExponentialBackoff, sleep } from '../../agent/index.ts';
import { type Entry, EntryQueue } from './entry-queue.ts';
import type { DeliveryQueueOptions, DeliveryResult, DeliveryStats, DropReason, EntrySize } from './types.ts';
import { DROP_REASONS } from './types.ts';
import { within } from './within.ts';

/** A bounded, batching, retrying queue; `offer` never blocks or throws. See the module doc. */
export class DeliveryQueue<T> {
  readonly #options: DeliveryQueueOptions<T>;
  readonly #waiting: EntryQueue<T>;
  readonly #maxBytes: number;
  /** Aborted when shutdown gives up: cancels the attempt in flight and backoff waits. */
  readonly #stop = new AbortController();
  readonly #dropped = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
  readonly #warned = new Set<DropReason>();
  /** The batch being sent or awaiting a retry; `undefined` once its outcome is counted. */
  #inFlight: Entry<T>[] | undefined;
  #sentItems = 0;
  #keptItems = 0;
  #sentBatches = 0;
  #failedAttempts = 0;
  #retries = 0;
  #draining: Promise<void> | undefined;
  #timer: { cancel(): void } | undefined;
  /** Send partial batches too (delay passed, flush or shutdown), not only full ones. */
  #drainAll = false;
  #shutdown: Promise<boolean> | undefined;
  #paused: boolean;

  constructor(options: DeliveryQueueOptions<T>) {
    this.#options = options;
    this.#paused = options.paused === true;
    this.#waiting = new EntryQueue(options.keyOf);
    this.#maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  }

  /** true once shutdown() was called: offers are dropped (`shutdown`). */
  get closed(): boolean {
    return this.#shutdown !== undefined;
  }

  /**
   * Whether an entry of `size` would be queued now without evicting anything (`drop_newest`: it
   * fits beside what is held). An `offer` of it made right after, synchronously, is queued.
   */
  fits(size: EntrySize): boolean {
    const [items, bytes] = [size.items ?? 1, size.bytes ?? 0];
    const held = this.stats();
    return (
      !this.closed && held.queuedItems + items <= held.capacity && held.queuedBytes + bytes <= this.#maxBytes
    );
  }

  /**
   * Queues `item` (holding `size.items` items, `size.bytes` bytes), or counts it as dropped.
   * @returns true when it was queued
   */
  offer(item: T, size: EntrySize = {}): boolean {
    const entry = { item, items: size.items ?? 1, bytes: size.bytes ?? 0 };
    if (this.closed || !this.#makeRoom(entry)) {
      this.drop(this.closed ? 'shutdown' : 'queue_full', entry.items);
      return false;
    }
    this.#waiting.push(entry);
    if (this.#waiting.items >= this.#options.batchSize || (this.#options.batchDelayMs ?? 0) === 0) {
      this.#startDraining(false);
    } else this.#armTimer();
    return true;
  }

  /** Counts `count` items given up for `reason`; warns once per reason until a batch is sent. */
  drop(reason: DropReason, count: number, why?: string): void {
    this.#dropped[reason] += count;
    if (this.#warned.has(reason)) return;
    this.#warned.add(reason);
    const detail = why === undefined ? '' : `: ${why}`;
    const items = this.#options.itemsLabel ?? 'item(s)';
    diag.warn(`headroom: dropped ${count} ${items} for ${this.#options.name} (${reason}${detail})`);
  }

  stats(): DeliveryStats {
    const inFlight = this.#inFlight ?? [];
    return {
      sentItems: this.#sentItems,
      sentBatches: this.#sentBatches,
      dropped: { ...this.#dropped },
      failedAttempts: this.#failedAttempts,
      retries: this.#retries,
      queuedItems: this.#waiting.items + sum(inFlight, (e) => e.items),
      queuedBytes: this.#waiting.bytes + sum(inFlight, (e) => e.bytes),
      capacity: this.#options.capacity,
      keptItems: this.#keptItems,
    };
  }

  /** Starts sending what a `paused` queue holds, in order. Idempotent. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (this.#waiting.items > 0) this.#startDraining(false);
  }

  /**
   * Sends everything queued, partial batches too; resolves once nothing is held (at once while
   * paused). Never rejects.
   */
  async flush(): Promise<void> {
    this.#startDraining(true);
    while (this.#draining !== undefined) await this.#draining;
  }

  /**
   * Stops taking items, sends what is queued for at most `timeoutMs` (on the clock), then drops
   * (and counts, reason `shutdown`) the rest; counts are final when it resolves. Idempotent.
   * @returns true when everything was delivered or given up in time, false when the bound cut it short
   */
  shutdown(timeoutMs: number): Promise<boolean> {
    this.#shutdown ??= within(this.#options.clock, timeoutMs, this.flush()).then((inTime) => {
      this.#abandon();
      return inTime;
    });
    return this.#shutdown;
  }

  /** true when `entry` fits, after evicting the oldest waiting entries under `drop_oldest`. */
  #makeRoom(entry: Entry<T>): boolean {
    const replaced = this.#waiting.replaced(entry);
    const items = () => this.#waiting.items - (replaced?.items ?? 0) + entry.items;
    const bytes = () => this.#waiting.bytes - (replaced?.bytes ?? 0) + entry.bytes;
    const { capacity, overflow } = this.#options;
    if (overflow === 'drop_newest') {
      const held = this.stats();
      const extraItems = held.queuedItems - this.#waiting.items;
      const extraBytes = held.queuedBytes - this.#waiting.bytes;
      return items() + extraItems <= capacity && bytes() + extraBytes <= this.#maxBytes;
    }
    if (entry.items > capacity || entry.bytes > this.#maxBytes) return false;
    while (items() > capacity || bytes() > this.#maxBytes) {
      const oldest = this.#waiting.shift();
      if (oldest !== undefined) this.drop('queue_full', oldest.items);
    }
    return true;
  }

  /** Stops all work; every item still held is kept (`keepAtShutdown`) or counted as dropped at shutdown. */
  #abandon(): void {
    this.#stop.abort();
    this.#timer?.cancel();
    const held = this.#waiting.clear() + sum(this.#inFlight ?? [], (e) => e.items);
    this.#inFlight = undefined;
    if (this.#options.keepAtShutdown === true) this.#keptItems += held;
    else if (held > 0) this.drop('shutdown', held);
  }

  #armTimer(): void {
    if (this.#timer !== undefined || this.#draining !== undefined) return;
    this.#timer = this.#options.clock.after(this.#options.batchDelayMs ?? 0, () => {
      this.#timer = undefined;
      this.#startDraining(true);
    });
  }

  #startDraining(all: boolean): void {
    this.#drainAll ||= all || (this.#options.batchDelayMs ?? 0) === 0;
    this.#timer?.cancel();
    this.#timer = undefined;
    if (this.#draining !== undefined || this.#stop.signal.aborted || this.#paused) return;
    // On a microtask: the caller's synchronous offers go first and share a batch. #drain never
    // rejects, so this background promise cannot surface as an unhandled rejection.
    this.#draining = Promise.resolve()
      .then(() => this.#drain())
      .finally(() => {
        this.#draining = undefined;
        const flushing = this.#drainAll;
        this.#drainAll = false;
        if (this.#waiting.items === 0 || this.#stop.signal.aborted) return;
        // A flush asked for while the loop was ending still gets its partial batch sent.
        if (flushing) this.#startDraining(true);
        else this.#armTimer();
      });
  }

  async #drain(): Promise<void> {
    const ready = () =>
      this.#waiting.items >= this.#options.batchSize || (this.#drainAll && this.#waiting.items > 0);
    while (!this.#stop.signal.aborted && ready()) {
      const batch = this.#waiting.take(this.#options.batchSize);
      this.#inFlight = batch;
      await this.#deliver(batch);
    }
  }

  /** Attempts `batch` until it is counted as sent or dropped (or abandoned at shutdown). */
  async #deliver(batch: Entry<T>[]): Promise<void> {
    const { clock, retry, maxRetries = Number.POSITIVE_INFINITY } = this.#options;
    const signal = this.#stop.signal;
    const backoff = new ExponentialBackoff(retry, clock.now(), this.#options.random);
    for (let attempt = 0; ; attempt++) {
      const result = await this.#attempt(batch, signal);
      if (this.#inFlight !== batch) return; // counted by #abandon
      if (result.status !== 'success') this.#failedAttempts++;
      const delayMs =
        result.status === 'retryable' && attempt < maxRetries
          ? backoff.nextDelayMs(clock.now(), result.retryAfterMs)
          : undefined;
      if (delayMs === undefined) {
        this.#settle(batch, result);
        return;
      }
      const wait = this.#options.sleep ?? ((ms, abort) => sleep(clock, ms, abort));
      await wait(delayMs, signal).catch(() => undefined);
      if (this.#inFlight !== batch) return;
      this.#retries++;
    }
  }

  async #attempt(batch: Entry<T>[], signal: AbortSignal): Promise<DeliveryResult> {
    try {
      return await this.#options.send(
        batch.map((e) => e.item),
        signal,
      );
    } catch (error) {
      diag.error(`headroom: ${this.#options.name} failed unexpectedly`, error);
      return { status: 'failure', error: error instanceof Error ? error : new Error(String(error)) };
    }
  }

  #settle(batch: Entry<T>[], result: DeliveryResult): void {
    this.#inFlight = undefined;
    this.#options.onSettled?.(batch.map((e) => e.item));
    const items = sum(batch, (e) => e.items);
    if (result.status === 'success') {
      const rejected = Math.min(result.rejected, items);
      this.#sentItems += items - rejected;
      this.#sentBatches++;
      this.#warned.clear();
      if (rejected > 0) this.drop('non_retryable', rejected, 'the receiver refused them (partial success)');
      return;
    }
    const reason = result.status === 'retryable' ? 'retries_exhausted' : 'non_retryable';
    this.drop(reason, items, result.error.message);
  }
}

function sum<E>(list: readonly E[], of: (e: E) => number): number {
  return list.reduce((total, e) => total + of(e), 0);
}
