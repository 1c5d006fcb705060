/**
 * Forwards OTLP requests as received (collector mode: the agent judges spans, then passes traces
 * and metrics on to the backend unchanged, like a Collector pipeline with no processors). Bodies
 * keep their content type. The queue is bounded in items, as the Collector's sending queue with
 * `sizer: items`: `queue.maxSize` spans (or metric data points) waiting or in flight, plus a byte
 * cap; the item count of each request comes from the receiver, which decoded it already. Retries
 * use the same backoff as span export; every item handed over ends up forwarded, dropped by
 * reason, or still queued.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { diag } from '@opentelemetry/api';
import { ExponentialBackoff } from './exponential-backoff.ts';
import { OtlpHttpTransport } from './http-transport.ts';
import { type OtlpSignal, resolveOtlpUrl } from './otlp-url.ts';
import { DROP_REASONS, type DropReason, type OtlpExporterConfig } from './types.ts';

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
}

interface Pending {
  readonly body: Uint8Array;
  readonly contentType: string;
  readonly items: number;
}

/** Forwards one signal's requests; `forward` never blocks or throws. */
export class OtlpForwarder {
  readonly #config: OtlpExporterConfig;
  readonly #signal: OtlpSignal;
  readonly #transports = new Map<string, OtlpHttpTransport>();
  readonly #url: string;
  readonly #maxItems: number;
  readonly #maxBytes: number;
  /** Aborted when shutdown gives up: cancels the request in flight and backoff waits. */
  readonly #abort = new AbortController();
  readonly #dropped = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
  #queue: Pending[] = [];
  /** The request being sent or awaiting a retry; `undefined` once its outcome is counted. */
  #inFlight: Pending | undefined;
  #items = 0;
  #bytes = 0;
  #sentItems = 0;
  #sentRequests = 0;
  #retries = 0;
  #draining: Promise<void> | undefined;
  #closed: Promise<boolean> | undefined;

  constructor(config: OtlpExporterConfig, signal: OtlpSignal, options: OtlpForwarderOptions = {}) {
    this.#config = config;
    this.#signal = signal;
    this.#url = resolveOtlpUrl(config, signal);
    this.#maxItems = config.queue.maxSize;
    this.#maxBytes = options.maxQueueBytes ?? 32 * 1024 * 1024;
  }

  /**
   * Queues a request body (decompressed) holding `items` spans or data points; when they do not
   * fit (`queue.maxSize` items, or the byte cap) the whole request is dropped and its items counted.
   */
  forward(body: Uint8Array, contentType: string, items: number): void {
    if (this.#closed !== undefined) {
      this.#drop('shutdown', items);
      return;
    }
    if (this.#items + items > this.#maxItems || this.#bytes + body.byteLength > this.#maxBytes) {
      this.#drop('queue_full', items);
      return;
    }
    this.#queue.push({ body, contentType, items });
    this.#items += items;
    this.#bytes += body.byteLength;
    // Background delivery: failures are counted in #deliver, never thrown.
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined;
    });
  }

  stats(): ForwarderStats {
    return {
      signal: this.#signal,
      sentItems: this.#sentItems,
      sentRequests: this.#sentRequests,
      dropped: { ...this.#dropped },
      retries: this.#retries,
      queueSize: this.#items,
      queueCapacity: this.#maxItems,
      queuedBytes: this.#bytes,
    };
  }

  /**
   * Sends what is queued for at most `timeoutMs`, then drops (and counts, reason `shutdown`) the
   * rest; the counts are final when this resolves. Idempotent.
   * @returns true when everything was sent in time, false when the bound cut delivery short
   */
  shutdown(timeoutMs: number): Promise<boolean> {
    this.#closed ??= this.#shutdown(timeoutMs);
    return this.#closed;
  }

  async #shutdown(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    // Ref'd on purpose (and cleared): the caller awaits this while only unref'd backoff waits may
    // be pending; it holds the process for at most `timeoutMs`.
    const expired = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const inTime = await Promise.race([this.#flushed(), expired]);
    clearTimeout(timer);
    this.#abandon();
    for (const transport of this.#transports.values()) transport.shutdown();
    return inTime;
  }

  async #flushed(): Promise<true> {
    while (this.#draining !== undefined) await this.#draining;
    return true;
  }

  /** Stops all work; every item still held is counted as dropped at shutdown. */
  #abandon(): void {
    this.#abort.abort();
    const held = this.#items;
    this.#queue = [];
    this.#inFlight = undefined;
    this.#items = 0;
    this.#bytes = 0;
    if (held > 0) this.#drop('shutdown', held);
  }

  async #drain(): Promise<void> {
    for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
      this.#inFlight = next;
      const outcome = await this.#deliver(next);
      if (this.#inFlight !== next) return; // counted by #abandon
      this.#inFlight = undefined;
      this.#items -= next.items;
      this.#bytes -= next.body.byteLength;
      if (outcome === 'sent') {
        this.#sentItems += next.items;
        this.#sentRequests++;
      } else {
        this.#drop(outcome, next.items);
      }
    }
  }

  async #deliver(pending: Pending): Promise<'sent' | DropReason> {
    const backoff = new ExponentialBackoff(this.#config.retry, Date.now());
    for (;;) {
      if (this.#abort.signal.aborted) return 'shutdown';
      const response = await this.#transport(pending.contentType).send(pending.body, this.#abort.signal);
      if (response.status === 'success') return 'sent';
      if (response.status === 'failure') {
        if (this.#abort.signal.aborted) return 'shutdown';
        diag.warn(`headroom: the OTLP backend refused a forwarded request: ${response.error.message}`);
        return 'non_retryable';
      }
      const delayMs = backoff.nextDelayMs(Date.now(), response.retryInMillis);
      if (delayMs === undefined) return 'retries_exhausted';
      // An abortable, unref'd wait: shutdown does not sit out a 30 s backoff.
      await sleep(delayMs, undefined, { signal: this.#abort.signal, ref: false }).catch(() => {});
      if (this.#abort.signal.aborted) return 'shutdown';
      this.#retries++;
    }
  }

  #drop(reason: DropReason, items: number): void {
    this.#dropped[reason] += items;
  }

  #transport(contentType: string): OtlpHttpTransport {
    let transport = this.#transports.get(contentType);
    if (transport === undefined) {
      transport = new OtlpHttpTransport({
        url: this.#url,
        headers: this.#config.headers,
        contentType,
        compression: this.#config.compression,
        timeoutMs: this.#config.timeoutMs,
      });
      this.#transports.set(contentType, transport);
    }
    return transport;
  }
}
