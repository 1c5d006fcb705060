/**
 * Forwards OTLP requests as received (collector mode: the agent judges spans, then passes traces
 * and metrics on to the backend unchanged, like a Collector pipeline with no processors). Bodies
 * keep their content type. The queue, on the one delivery engine, is bounded in items as the
 * Collector's sending queue with `sizer: items`: `queue.maxSize` spans (or metric data points)
 * waiting or in flight, plus a byte cap; the item count of each request comes from the receiver,
 * which decoded it already. Retries follow `exporters.otlp.retry`; every item handed over ends up
 * forwarded, dropped by reason, or still queued.
 */
import { type Clock, systemClock } from '../../agent/index.ts';
import { DeliveryQueue, type DeliveryResult, type DropReason, HttpTransport } from '../delivery/index.ts';
import { type OtlpSignal, resolveOtlpUrl } from './otlp-url.ts';
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
}

export interface OtlpForwarderOptions {
  /** Most bytes held in the queue. @default 32 MiB */
  readonly maxQueueBytes?: number;
  /** Timers and time (backoff, request timeout, shutdown bound). @default systemClock */
  readonly clock?: Clock;
  /** Uniform source in [0, 1) for backoff jitter, for tests. @default Math.random */
  readonly random?: () => number;
}

interface Pending {
  readonly body: Uint8Array;
  readonly contentType: string;
}

/** Forwards one signal's requests; `forward` never blocks or throws. */
export class OtlpForwarder {
  readonly #config: OtlpExporterConfig;
  readonly #signal: OtlpSignal;
  readonly #clock: Clock;
  readonly #url: string;
  readonly #transports = new Map<string, HttpTransport>();
  readonly #queue: DeliveryQueue<Pending>;

  constructor(config: OtlpExporterConfig, signal: OtlpSignal, options: OtlpForwarderOptions = {}) {
    this.#config = config;
    this.#signal = signal;
    this.#clock = options.clock ?? systemClock;
    this.#url = resolveOtlpUrl(config, signal);
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
    });
  }

  /**
   * Queues a request body (decompressed) holding `items` spans or data points; when they do not
   * fit (`queue.maxSize` items, or the byte cap) the whole request is dropped and its items counted.
   */
  forward(body: Uint8Array, contentType: string, items: number): void {
    this.#queue.offer({ body, contentType }, { items, bytes: body.byteLength });
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
    };
  }

  /**
   * Sends what is queued for at most `timeoutMs`, then drops (and counts, reason `shutdown`) the
   * rest; the counts are final when this resolves. Idempotent.
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
