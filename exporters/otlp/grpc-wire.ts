/**
 * Forwarding over OTLP/gRPC (`exporters.otlp.protocol: grpc`): one `GrpcTransport` per signal
 * (TraceService/Export or MetricsService/Export) to the endpoint as the OTLP exporter
 * specification resolves it for gRPC. Received protobuf bytes pass through unchanged; OTLP/JSON
 * bodies are converted to protobuf (otlp-json-converter.ts) when they are queued, so the queue, on
 * disk too, holds protobuf. Loaded lazily (forwarding-wire.ts): it brings protobufjs, and the
 * transport `@grpc/grpc-js` on its first call.
 */
import { type DeliveryResult, GrpcTransport, OTLP_GRPC_METHODS } from '../delivery/index.ts';
import type { ForwardedRequest, ForwardingWire } from './forwarding-wire.ts';
import { OtlpJsonConverter } from './otlp-json-converter.ts';
import { type OtlpSignal, resolveOtlpUrl } from './otlp-url.ts';
import type { OtlpExporterConfig } from './types.ts';

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

/** One signal's OTLP/gRPC Export calls. */
export class GrpcWire implements ForwardingWire {
  readonly #transport: GrpcTransport;
  readonly #converter: OtlpJsonConverter;

  constructor(config: OtlpExporterConfig, signal: OtlpSignal) {
    this.#transport = new GrpcTransport({
      endpoint: resolveOtlpUrl(config, signal),
      method: OTLP_GRPC_METHODS[signal],
      headers: config.headers,
      compression: config.compression,
      timeoutMs: config.timeoutMs,
    });
    this.#converter = new OtlpJsonConverter(signal);
  }

  /** Protobuf as it is; OTLP/JSON converted to protobuf, or the reason it cannot be. */
  prepare(request: ForwardedRequest): ForwardedRequest | string {
    if (request.contentType !== JSON_TYPE) return request;
    const converted = this.#converter.convert(request.body);
    return converted.ok ? { body: converted.body, contentType: PROTOBUF } : converted.reason;
  }

  send(request: ForwardedRequest, signal: AbortSignal): Promise<DeliveryResult> {
    return this.#transport.send(request.body, signal);
  }

  shutdown(): void {
    this.#transport.shutdown();
  }
}
