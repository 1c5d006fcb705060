/**
 * Forwards OTLP requests as received (collector mode: the agent judges spans, then passes traces
 * and metrics on to the backend unchanged, like a Collector pipeline with no processors). Bodies
 * keep their content type. The queue, on the one delivery engine, is bounded in items as the
 * Collector's sending queue with `sizer: items`: `queue.maxSize` spans (or metric data points)
 * waiting or in flight, plus a byte cap; the item count of each request comes from the receiver,
 * which decoded it already. Retries follow `exporters.otlp.retry`; every item handed over ends up
 * forwarded, dropped by reason, still queued, or kept in the store at shutdown. With a store (`store`), the queue is on disk as
 * well, as the Collector's persistent sending queue: a request is committed to the store before
 * `forward` returns `queued`, removed once delivered or dropped, kept at shutdown and read back by
 * {@link OtlpForwarder.restore} at the next start; delivery is at least once (a request in flight
 * at a crash is sent again).
 */
import { type Clock, type RequestQueueStore, systemClock } from '../../agent/index.ts';
import { DeliveryQueue, type DeliveryResult, type DropReason, HttpTransport } from '../delivery/index.ts';
import { type OtlpSignal, resolveOtlpUrl } from './otlp-url.ts';
import { RequestJournal } from './request-journal.ts';
import type { OtlpExporterConfig } from './types.ts';

/** Counters of a forwarder; items are spans for traces, metric data points for metrics. */
export interface ForwarderStats {
  readonly signal: OtlpSignal;
  /** Items the backend accepted. */
  readonly sentItems: number;
  /** Requests the backend accepted. */
  readonly sentRequests: number;
  /** Items dropped, by reason. */
  readonly dropped: Readonly<Record<DropReason, number>>;
  /** Requests re-sent after a retryable failure. */
  readonly retries: number;
  /** Items waiting or in flight; never above `queueCapacity`. */
  readonly queueSize: number;
  /** `queue.maxSize`, in items. */
  readonly queueCapacity: number;
  /** Bytes waiting or in flight. */
  readonly queuedBytes: number;
  /** Items held at shutdown and kept in the store for the next start (with a store only). */
  readonly keptItems: number;
}

/**
 * What became of a forwarded request: queued (with a store: committed to it), dropped and counted
 * (it does not fit the queue, or shutdown), or `unavailable`: the store cannot keep it (disk
 * full, store unwritable), nothing was counted, and the sender must be told to retry (503).
 */
export type ForwardOutcome = 'queued' | 'dropped' | 'unavailable';

/** Requests read back from the store by {@link OtlpForwarder.restore}. */
export interface RestoredQueue {
  /** Requests queued again, and the items they hold. */
  readonly requests: number;
  readonly items: number;
  /** Items that no longer fit the queue's bounds: dropped (`queue_full`) and removed from the store. */
  readonly dropped: number;
}

export interface OtlpForwarderOptions {
  /** Most bytes held in the queue (and on disk). @default 32 MiB */
  readonly maxQueueBytes?: number;
  /** Keeps the queue on disk: see the module doc. @default none, memory only */
  readonly store?: RequestQueueStore;
  /** Queues (and stores) requests but sends nothing until {@link OtlpForwarder.start}. @default false */
  readonly paused?: boolean;
  /** Timers and time (backoff, request timeout, shutdown bound). @default systemClock */
  readonly clock?: Clock;
  /** Uniform source in [0, 1) for backoff jitter, for tests. @default Math.random */
  readonly random?: () => number;
}

interface Pending {
  readonly body: Uint8Array;
  readonly contentType: string;
  /** Its id in the store, when kept there. */
  readonly id?: number;
}

/** Forwards one signal's requests; `forward` never blocks or throws. */
export class OtlpForwarder {
  readonly #config: OtlpExporterConfig;
  readonly #signal: OtlpSignal;
  readonly #clock: Clock;
  readonly #url: string;
  readonly #transports = new Map<string, HttpTransport>();
  readonly #queue: DeliveryQueue<Pending>;
  readonly #journal: RequestJournal | undefined;

  constructor(config: OtlpExporterConfig, signal: OtlpSignal, options: OtlpForwarderOptions = {}) {
    this.#config = config;
    this.#signal = signal;
    this.#clock = options.clock ?? systemClock;
    this.#url = resolveOtlpUrl(config, signal);
    const journal = options.store && new RequestJournal(options.store, signal);
    this.#journal = journal;
    this.#queue = new DeliveryQueue<Pending>({
      name: `OTLP ${signal} forwarding`,
      itemsLabel: signal === 'traces' ? 'span(s)' : 'data point(s)',
      send: ([pending], abort) => this.#send(pending as Pending, abort),
      capacity: config.queue.maxSize,
      maxBytes: options.maxQueueBytes ?? 32 * 1024 * 1024,
      overflow: 'drop_newest',
      // One request per attempt, as received: bodies are never merged.
      batchSize: 1,
      retry: config.retry,
      clock: this.#clock,
      random: options.random,
      onSettled: journal && ((batch) => journal.remove(idsOf(batch))),
      keepAtShutdown: journal !== undefined,
      paused: options.paused,
    });
  }

  /** Starts sending, oldest request first, when created `paused`. Idempotent. */
  start(): void {
    this.#queue.resume();
  }

  /**
   * Queues a request body (decompressed) holding `items` spans or data points; when they do not
   * fit (`queue.maxSize` items, or the byte cap) the whole request is dropped and its items counted.
   * With a store, the request is committed to it first. Never throws.
   */
  forward(body: Uint8Array, contentType: string, items: number): ForwardOutcome {
    const size = { items, bytes: body.byteLength };
    if (this.#journal === undefined || !this.#queue.fits(size))
      return this.#queue.offer({ body, contentType }, size) ? 'queued' : 'dropped';
    const id = this.#journal.append({ body, contentType, items });
    if (id === undefined) return 'unavailable';
    this.#queue.offer({ body, contentType, id }, size);
    return 'queued';
  }

  /**
   * Queues again, oldest first and before any new request, what the store kept from a previous
   * run; what no longer fits the bounds is dropped (`queue_full`) and removed. Call once, before
   * the receiver accepts traffic; nothing without a store.
   */
  restore(): RestoredQueue {
    const restored = { requests: 0, items: 0, dropped: 0 };
    if (this.#journal === undefined) return restored;
    const unfit: number[] = [];
    for (const { id, body, contentType, items } of this.#journal.stored()) {
      if (this.#queue.offer({ body, contentType, id }, { items, bytes: body.byteLength })) {
        restored.requests++;
        restored.items += items;
      } else {
        unfit.push(id);
        restored.dropped += items;
      }
    }
    this.#journal.remove(unfit);
    return restored;
  }

  stats(): ForwarderStats {
    const s = this.#queue.stats();
    return {
      signal: this.#signal,
      sentItems: s.sentItems,
      sentRequests: s.sentBatches,
      dropped: s.dropped,
      retries: s.retries,
      queueSize: s.queuedItems,
      queueCapacity: s.capacity,
      queuedBytes: s.queuedBytes,
      keptItems: s.keptItems,
    };
  }

  /**
   * Sends what is queued for at most `timeoutMs`, then drops (and counts, reason `shutdown`) the
   * rest, or with a store keeps it there for the next start (`keptItems`); the counts are final
   * when this resolves. Idempotent.
   * @returns true when everything was sent in time, false when the bound cut delivery short
   */
  async shutdown(timeoutMs: number): Promise<boolean> {
    const inTime = await this.#queue.shutdown(timeoutMs);
    for (const transport of this.#transports.values()) transport.shutdown();
    return inTime;
  }

  #send(pending: Pending, signal: AbortSignal): Promise<DeliveryResult> {
    return this.#transport(pending.contentType).send(pending.body, signal);
  }

  #transport(contentType: string): HttpTransport {
    let transport = this.#transports.get(contentType);
    if (transport === undefined) {
      transport = new HttpTransport({
        url: this.#url,
        headers: this.#config.headers,
        contentType,
        compression: this.#config.compression,
        timeoutMs: this.#config.timeoutMs,
        clock: this.#clock,
      });
      this.#transports.set(contentType, transport);
    }
    return transport;
  }
}

function idsOf(batch: readonly Pending[]): number[] {
  return batch.flatMap((pending) => (pending.id === undefined ? [] : [pending.id]));
}
