/**
 * The contract of the OTLP exporters: the config they read, the outcome of one send and the
 * counters they keep (`headroom_exporter_*`, `headroom_forwarder_*`).
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { ResolvedConfig } from '../../config/index.ts';
import type { DeliveryResult, DropReason } from '../delivery/index.ts';
import type { OtlpSignal } from './otlp-url.ts';

/** The resolved `exporters.otlp` section; config/ already folded OTEL_EXPORTER_OTLP_* into it. */
export type OtlpExporterConfig = ResolvedConfig['exporters']['otlp'];

/** The `exporters.otlp.retry` section (durations in ms): the delivery engine's `RetryPolicy`. */
export type OtlpRetryConfig = OtlpExporterConfig['retry'];

/**
 * Counters of a span export pipeline. Every span the processor accepted for export is in exactly
 * one place: `exported + sum(dropped) + queueSize` equals the spans handed to it.
 */
export interface OtlpExportStats {
  /** Spans the backend accepted. */
  readonly exported: number;
  /** Spans dropped, by reason. */
  readonly dropped: Readonly<Record<DropReason, number>>;
  /** Requests re-sent after a retryable failure. */
  readonly retries: number;
  /** Spans held now: waiting in the queue plus the batch being sent. Never above `queueCapacity`. */
  readonly queueSize: number;
  /** `queue.maxSize`: the most spans ever held. */
  readonly queueCapacity: number;
}

/** Outcome of one request (no retry), as a value: sending never throws. */
export type SendResult = DeliveryResult;

/** Sends one batch of spans once; the resilient processor owns queueing and retries. */
export interface SpanBatchSender {
  /** Serializes and posts `spans`; resolves (never rejects) when done or when `signal` aborts. */
  send(spans: readonly ReadableSpan[], signal: AbortSignal): Promise<SendResult>;
  /** Releases connections. */
  shutdown(): void;
}

/** Counters of a forwarder; items are spans for traces, metric data points for metrics. */
export interface ForwarderStats {
  readonly signal: OtlpSignal;
  /** Items the backend accepted. */
  readonly sentItems: number;
  /** Requests the backend accepted. */
  readonly sentRequests: number;
  /**
   * Items dropped, by reason: the delivery queue's, and `unconvertible`, OTLP/JSON requests that
   * cannot be converted to protobuf for OTLP/gRPC (they could not be delivered either).
   */
  readonly dropped: Readonly<Record<DropReason | 'unconvertible', number>>;
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
 * (it does not fit the queue, cannot be converted for gRPC, or shutdown), or `unavailable`: the store cannot keep it (disk
 * full, store unwritable), nothing was counted, and the sender must be told to retry (503).
 */
export type ForwardOutcome = 'queued' | 'dropped' | 'unavailable';

/** Requests read back from the store by `OtlpForwarder.restore`. */
export interface RestoredQueue {
  /** Requests queued again, and the items they hold. */
  readonly requests: number;
  readonly items: number;
  /**
   * Items dropped and removed from the store: those that no longer fit the queue's bounds
   * (`queue_full`), and with `protocol: grpc` stored OTLP/JSON that cannot be converted (`unconvertible`).
   */
  readonly dropped: number;
}
