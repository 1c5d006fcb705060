/**
 * The contract of the OTLP exporters: the config they read, the outcome of one send and the
 * counters they keep (the future `headroom_exporter_*` Prometheus metrics).
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { ResolvedConfig } from '../../config/index.ts';
import type { DeliveryResult, DropReason } from '../delivery/index.ts';

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
