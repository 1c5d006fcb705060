/**
 * Forwards OTLP requests as received (collector mode: the agent judges spans, then passes traces
 * and metrics on to the backend unchanged, like a Collector pipeline with no processors). Bodies
 * keep their content type; a bounded queue (by requests and bytes) holds them while the backend
 * is slow or down, with the same backoff as span export; every drop is counted.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { diag } from '@opentelemetry/api';
import { ExponentialBackoff } from './exponential-backoff.ts';
import { OtlpHttpTransport } from './http-transport.ts';
import { type OtlpSignal, resolveOtlpUrl } from './otlp-url.ts';
import type { OtlpExporterConfig } from './types.ts';

export interface ForwarderStats {
  readonly forwarded: number;
  readonly dropped: Readonly<
    Record<'queue_full' | 'retries_exhausted' | 'non_retryable' | 'shutdown', number>
  >;
  readonly retries: number;
  readonly queuedRequests: number;
  readonly queuedBytes: number;
}

export interface OtlpForwarderOptions {
  /** Most bytes held in the queue. @default 32 MiB */
  readonly maxQueueBytes?: number;
}

interface Pending {
  readonly body: Uint8Array;
  readonly contentType: string;
}

/** Forwards one signal's requests; `forward` never blocks or throws. */
export class OtlpForwarder {
  readonly #config: OtlpExporterConfig;
  readonly #transports = new Map<string, OtlpHttpTransport>();
  readonly #url: string;
  readonly #queue: Pending[] = [];
  readonly #maxRequests: number;
  readonly #maxBytes: number;
  readonly #abort = new AbortController();
  readonly #dropped = { queue_full: 0, retries_exhausted: 0, non_retryable: 0, shutdown: 0 };
  #bytes = 0;
  #forwarded = 0;
  #retries = 0;
  #draining: Promise<void> | undefined;
  #closed = false;

  constructor(config: OtlpExporterConfig, signal: OtlpSignal, options: OtlpForwarderOptions = {}) {
    this.#config = config;
    this.#url = resolveOtlpUrl(config, signal);
    this.#maxRequests = config.queue.maxSize;
    this.#maxBytes = options.maxQueueBytes ?? 32 * 1024 * 1024;
  }

  /** Queues a request body (decompressed) for the backend; drops and counts it when the queue is full. */
  forward(body: Uint8Array, contentType: string): void {
    if (this.#closed) {
      this.#dropped.shutdown++;
      return;
    }
    if (this.#queue.length >= this.#maxRequests || this.#bytes + body.byteLength > this.#maxBytes) {
      this.#dropped.queue_full++;
      return;
    }
    this.#queue.push({ body, contentType });
    this.#bytes += body.byteLength;
    // Background delivery: failures are counted in #drain, never thrown.
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined;
    });
  }

  stats(): ForwarderStats {
    return {
      forwarded: this.#forwarded,
      dropped: { ...this.#dropped },
      retries: this.#retries,
      queuedRequests: this.#queue.length,
      queuedBytes: this.#bytes,
    };
  }

  /** Sends what is queued for at most `timeoutMs`, then drops (and counts) the rest. */
  async shutdown(timeoutMs: number): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([this.#draining ?? Promise.resolve(), deadline]);
    this.#abort.abort();
    await this.#draining?.catch(() => {});
    this.#dropped.shutdown += this.#queue.length;
    this.#queue.length = 0;
    this.#bytes = 0;
    for (const transport of this.#transports.values()) transport.shutdown();
  }

  async #drain(): Promise<void> {
    for (let next = this.#queue[0]; next !== undefined; next = this.#queue[0]) {
      await this.#deliver(next);
      this.#queue.shift();
      this.#bytes -= next.body.byteLength;
    }
  }

  async #deliver(pending: Pending): Promise<void> {
    const backoff = new ExponentialBackoff(this.#config.retry, Date.now());
    for (;;) {
      if (this.#abort.signal.aborted) return void this.#dropped.shutdown++;
      const response = await this.#transport(pending.contentType).send(pending.body, this.#abort.signal);
      if (response.status === 'success') return void this.#forwarded++;
      if (response.status === 'failure') {
        diag.warn(`headroom: the OTLP backend refused a forwarded request: ${response.error.message}`);
        return void this.#dropped.non_retryable++;
      }
      const delayMs = backoff.nextDelayMs(Date.now(), response.retryInMillis);
      if (delayMs === undefined) return void this.#dropped.retries_exhausted++;
      this.#retries++;
      // An abortable, unref'd wait: shutdown does not sit out a 30 s backoff.
      await sleep(delayMs, undefined, { signal: this.#abort.signal, ref: false }).catch(() => {});
    }
  }

  #transport(contentType: string): OtlpHttpTransport {
    let transport = this.#transports.get(contentType);
    if (transport === undefined) {
      transport = new OtlpHttpTransport({
        url: this.#url,
        headers: this.#config.headers,
        contentType,
        compression: this.#config.compression,
        timeoutMs: this.#config.timeout,
      });
      this.#transports.set(contentType, transport);
    }
    return transport;
  }
}
