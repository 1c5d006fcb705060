/**
 * OTLP export of traces (Jaeger is reached this way), over HTTP (protobuf or JSON) or gRPC: the
 * official OpenTelemetry JS serializers (`@opentelemetry/otlp-transformer`, the ones the official
 * OTLP exporters use) behind Headroom's resilient queue, configured from `exporters.otlp`. Both
 * transports answer alike (retryable or not, the delay asked for, the reply bytes whose partial
 * success is counted), so queueing, retries and counters do not depend on the protocol.
 */
import { diag } from '@opentelemetry/api';
import type { ISerializer } from '@opentelemetry/otlp-transformer';
import {
  type IExportTraceServiceResponse,
  JsonTraceSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { Clock } from '../../agent/index.ts';
import { GrpcTransport, HttpTransport, OTLP_GRPC_METHODS, type Transport } from '../delivery/index.ts';
import { resolveOtlpUrl } from './otlp-url.ts';
import { ResilientSpanProcessor } from './resilient-span-processor.ts';
import type { OtlpExporterConfig, SendResult, SpanBatchSender } from './types.ts';

type TraceSerializer = ISerializer<ReadableSpan[], IExportTraceServiceResponse>;

export interface OtlpTraceProcessorOptions {
  /** Longest a finished span waits for its batch to fill before it is sent anyway, ms. @default 5000 */
  readonly scheduledDelayMs?: number;
  /** Bound of shutdown(), ms (`shutdown.timeout`). @default `config.timeoutMs` */
  readonly shutdownTimeoutMs?: number;
  /** Timers and time (backoff, batch delay, request timeout, bounds). @default systemClock */
  readonly clock?: Clock;
}

/**
 * A span processor that exports sampled spans over OTLP (`protocol`: `http/protobuf`,
 * `http/json` or `grpc`) with a bounded queue, batches and retries (see {@link ResilientSpanProcessor}); `stats()` gives its counters.
 * @example
 * const otlp = createOtlpTraceProcessor(config.exporters.otlp);
 * const headroom = start({ spanProcessors: [otlp] });
 * otlp.stats(); // { exported, dropped: { queue_full, ... }, retries, queueSize, queueCapacity }
 */
export function createOtlpTraceProcessor(
  config: OtlpExporterConfig,
  options: OtlpTraceProcessorOptions = {},
): ResilientSpanProcessor {
  const serializer = config.protocol === 'http/json' ? JsonTraceSerializer : ProtobufTraceSerializer;
  return new ResilientSpanProcessor({
    sender: new OtlpTraceSender(serializer, traceTransport(config, options.clock)),
    maxQueueSize: config.queue.maxSize,
    batchSize: config.queue.batchSize,
    retry: config.retry,
    timeoutMs: config.timeoutMs,
    shutdownTimeoutMs: options.shutdownTimeoutMs,
    scheduledDelayMs: options.scheduledDelayMs,
    clock: options.clock,
  });
}

/** OTLP/gRPC (TraceService/Export) or OTLP/HTTP (POST, protobuf or JSON) to the traces endpoint. */
function traceTransport(config: OtlpExporterConfig, clock: Clock | undefined): Transport {
  const common = { headers: config.headers, compression: config.compression, timeoutMs: config.timeoutMs };
  const endpoint = resolveOtlpUrl(config, 'traces');
  if (config.protocol === 'grpc')
    return new GrpcTransport({ ...common, endpoint, method: OTLP_GRPC_METHODS.traces });
  const contentType = config.protocol === 'http/json' ? 'application/json' : 'application/x-protobuf';
  return new HttpTransport({ ...common, url: endpoint, contentType, clock });
}

/** Serializes a batch with the official serializer and sends it once. */
class OtlpTraceSender implements SpanBatchSender {
  readonly #serializer: TraceSerializer;
  readonly #transport: Transport;

  constructor(serializer: TraceSerializer, transport: Transport) {
    this.#serializer = serializer;
    this.#transport = transport;
  }

  async send(spans: readonly ReadableSpan[], signal: AbortSignal): Promise<SendResult> {
    await resourcesSettled(spans);
    const body = this.#serializer.serializeRequest([...spans]);
    if (body === undefined) return { status: 'failure', error: new Error('spans could not be serialized') };
    const response = await this.#transport.send(body, signal);
    if (response.status !== 'success') return response;
    return { status: 'success', rejected: this.#rejected(response.body) };
  }

  shutdown(): void {
    this.#transport.shutdown();
  }

  /** Spans refused in a partial success; an unreadable reply counts as full success. */
  #rejected(data: Uint8Array | undefined): number {
    if (data === undefined || data.byteLength === 0) return 0;
    try {
      const partial = this.#serializer.deserializeResponse(data).partialSuccess;
      if (partial?.errorMessage) diag.warn(`headroom: OTLP partial success: ${partial.errorMessage}`);
      return Number(partial?.rejectedSpans ?? 0) || 0;
    } catch (error) {
      diag.debug('headroom: unreadable OTLP export reply', error);
      return 0;
    }
  }
}

/** Waits for resources with asynchronous attributes, as the SDK's batch processor does. */
async function resourcesSettled(spans: readonly ReadableSpan[]): Promise<void> {
  const pending = new Set(
    spans.map((span) => span.resource).filter((resource) => resource.asyncAttributesPending),
  );
  if (pending.size === 0) return;
  await Promise.all(
    [...pending].map((resource) => resource.waitForAsyncAttributes?.().catch(() => undefined)),
  );
}
