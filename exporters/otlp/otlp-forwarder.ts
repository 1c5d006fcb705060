/**
 * Forwards OTLP requests as received (collector mode: the agent judges spans, then passes traces
 * and metrics on to the backend unchanged, like a Collector pipeline with no processors). Over
 * OTLP/HTTP bodies keep their content type; over OTLP/gRPC (`protocol: grpc`) protobuf bodies pass
 * unchanged and OTLP/JSON ones are converted to protobuf once, in `forward`, before they are queued
 * or stored (one that cannot be converted is dropped, reason `unconvertible`). The queue, on the one delivery engine, is bounded in items as the
 * Collector's sending queue with `sizer: items`: `queue.maxSize` spans (or metric data points)
 * waiting or in flight, plus a byte cap; the item count of each request comes from the receiver,
 * which decoded it already. Retries follow `exporters.otlp.retry`; every item handed over ends up
 * forwarded, dropped by reason, still queued, or kept in the store at shutdown. With a store (`store`), the queue is on disk as
 * well, as the Collector's persistent sending queue: a request is committed to the store before
 * `forward` returns `queued`, removed once delivered or dropped, kept at shutdown and read back by
 * {@link OtlpForwarder.restore} at the next start; delivery is at least once (a request in flight
 * at a crash is sent again).
 */
import { diag } from '@opentelemetry/api';
import { type Clock, type RequestQueueStore, systemClock } from '../../agent/index.ts';
import { DeliveryQueue, type DeliveryResult } from '../delivery/index.ts';
import { type ForwardedRequest, type ForwardingWire, openForwardingWire } from './forwarding-wire.ts';
import type { OtlpSignal } from './otlp-url.ts';
import { RequestJournal } from './request-journal.ts';
import type { ForwarderStats, ForwardOutcome, OtlpExporterConfig, RestoredQueue } from './types.ts';

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

interface Pending extends ForwardedRequest {
  /** Its id in the store, when kept there. */
  readonly id?: number;
}

/** Forwards one signal's requests; `forward` never blocks or throws. */
export class OtlpForwarder {
  readonly #signal: OtlpSignal;
  readonly #wire: ForwardingWire;
  readonly #queue: DeliveryQueue<Pending>;
  readonly #journal: RequestJournal | undefined;
  readonly #itemsLabel: string;
  #unconvertible = 0;
  /** Set after an unconvertible request is logged, until one converts again: one line per run of them. */
  #warnedUnconvertible = false;

  /**
   * Creates the forwarder of `signal` for `config.protocol`; with `grpc` it first loads the gRPC
   * wire and the OTLP/JSON conversion (collector mode only: an embedded Headroom never loads them).
   * @example const traces = await OtlpForwarder.create(config.exporters.otlp, 'traces', { store })
   */
  static async create(
    config: OtlpExporterConfig,
    signal: OtlpSignal,
    options: OtlpForwarderOptions = {},
  ): Promise<OtlpForwarder> {
    const clock = options.clock ?? systemClock;
    return new OtlpForwarder(config, signal, options, await openForwardingWire(config, signal, clock));
  }

  private constructor(
    config: OtlpExporterConfig,
    signal: OtlpSignal,
    options: OtlpForwarderOptions,
    wire: ForwardingWire,
  ) {
    this.#signal = signal;
    this.#wire = wire;
    this.#itemsLabel = signal === 'traces' ? 'span(s)' : 'data point(s)';
    const journal = options.store && new RequestJournal(options.store, signal);
    this.#journal = journal;
    this.#queue = new DeliveryQueue<Pending>({
      name: `OTLP ${signal} forwarding`,
      itemsLabel: this.#itemsLabel,
      send: ([pending], abort) => this.#send(pending as Pending, abort),
      capacity: config.queue.maxSize,
      maxBytes: options.maxQueueBytes ?? 32 * 1024 * 1024,
      overflow: 'drop_newest',
      // One request per attempt, as received: bodies are never merged.
      batchSize: 1,
      retry: config.retry,
      clock: options.clock ?? systemClock,
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
   * Over gRPC an OTLP/JSON body is converted to protobuf first (dropped, `unconvertible`, when it
   * cannot be). With a store, the request is committed to it, as queued, first. Never throws.
   */
  forward(body: Uint8Array, contentType: string, items: number): ForwardOutcome {
    const request = this.#prepare({ body, contentType }, items);
    if (request === undefined) return 'dropped';
    const size = { items, bytes: request.body.byteLength };
    if (this.#journal === undefined || !this.#queue.fits(size))
      return this.#queue.offer(request, size) ? 'queued' : 'dropped';
    const id = this.#journal.append({ ...request, items });
    if (id === undefined) return 'unavailable';
    this.#queue.offer({ ...request, id }, size);
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
      // A request stored by a run that forwarded over HTTP may be OTLP/JSON: converted now for gRPC.
      const request = this.#prepare({ body, contentType }, items);
      if (
        request !== undefined &&
        this.#queue.offer({ ...request, id }, { items, bytes: request.body.byteLength })
      ) {
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
      dropped: { ...s.dropped, unconvertible: this.#unconvertible },
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
    this.#wire.shutdown();
    return inTime;
  }

  /** The request as the wire carries it; `undefined` (dropped and counted, `unconvertible`) when it cannot. */
  #prepare(request: ForwardedRequest, items: number): ForwardedRequest | undefined {
    const prepared = this.#wire.prepare(request);
    if (typeof prepared !== 'string') {
      if (request.body !== prepared.body) this.#warnedUnconvertible = false;
      return prepared;
    }
    this.#unconvertible += items;
    if (!this.#warnedUnconvertible)
      diag.warn(
        `headroom: dropped ${items} ${this.#itemsLabel} for OTLP ${this.#signal} forwarding (unconvertible: the OTLP/JSON request cannot be converted to protobuf for OTLP/gRPC: ${prepared})`,
      );
    this.#warnedUnconvertible = true;
    return undefined;
  }

  #send(pending: Pending, signal: AbortSignal): Promise<DeliveryResult> {
    return this.#wire.send(pending, signal);
  }
}

function idsOf(batch: readonly Pending[]): number[] {
  return batch.flatMap((pending) => (pending.id === undefined ? [] : [pending.id]));
}
