/**
 * How a forwarder's requests go out, by `exporters.otlp.protocol`. Over OTLP/HTTP (`http/protobuf`,
 * `http/json`) a request keeps its content type: it is posted as received, with one transport per
 * content type. Over OTLP/gRPC (`grpc`, grpc-wire.ts, loaded only then) protobuf bodies pass
 * unchanged and OTLP/JSON bodies are converted to protobuf once, before they are queued (and
 * stored), since gRPC carries protobuf only.
 */
import type { Clock } from '../../agent/index.ts';
import { type DeliveryResult, HttpTransport } from '../delivery/index.ts';
import { type OtlpSignal, resolveOtlpUrl } from './otlp-url.ts';
import type { OtlpExporterConfig } from './types.ts';

/** A request body (decompressed) and its content type, as received or as queued. */
export interface ForwardedRequest {
  readonly body: Uint8Array;
  readonly contentType: string;
}

/** One signal's way to the backend. */
export interface ForwardingWire {
  /**
   * The request as it is queued and stored: unchanged, or converted to what the wire carries;
   * a string saying why when it cannot be (the request is then dropped). Never throws.
   */
  prepare(request: ForwardedRequest): ForwardedRequest | string;
  /** Sends a prepared request once; resolves (never rejects) with the outcome, or a failure once `signal` aborts. */
  send(request: ForwardedRequest, signal: AbortSignal): Promise<DeliveryResult>;
  /** Releases connections. */
  shutdown(): void;
}

/**
 * The wire `config.protocol` names; with `grpc` it loads the gRPC client wrapper and the OTLP/JSON
 * conversion (protobufjs) first, so nothing of them is loaded otherwise.
 */
export async function openForwardingWire(
  config: OtlpExporterConfig,
  signal: OtlpSignal,
  clock: Clock,
): Promise<ForwardingWire> {
  if (config.protocol !== 'grpc') return new HttpWire(config, signal, clock);
  const { GrpcWire } = await import('./grpc-wire.ts');
  return new GrpcWire(config, signal);
}

/** OTLP/HTTP: each request is posted as received, with its own content type. */
class HttpWire implements ForwardingWire {
  readonly #config: OtlpExporterConfig;
  readonly #url: string;
  readonly #clock: Clock;
  readonly #transports = new Map<string, HttpTransport>();

  constructor(config: OtlpExporterConfig, signal: OtlpSignal, clock: Clock) {
    this.#config = config;
    this.#url = resolveOtlpUrl(config, signal);
    this.#clock = clock;
  }

  prepare(request: ForwardedRequest): ForwardedRequest {
    return request;
  }

  send(request: ForwardedRequest, signal: AbortSignal): Promise<DeliveryResult> {
    return this.#transport(request.contentType).send(request.body, signal);
  }

  shutdown(): void {
    for (const transport of this.#transports.values()) transport.shutdown();
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
