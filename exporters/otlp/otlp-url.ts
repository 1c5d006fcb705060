import type { OtlpExporterConfig } from './types.ts';

/** Base URL the OTLP exporter specification defaults to for OTLP/HTTP when no endpoint is configured. */
export const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318';

/** Target the OTLP exporter specification defaults to for OTLP/gRPC when no endpoint is configured. */
const DEFAULT_OTLP_GRPC_ENDPOINT = 'http://localhost:4317';

/** A signal OTLP carries. */
export type OtlpSignal = 'traces' | 'metrics';

/**
 * Where a signal is sent, as the OTLP exporter specification resolves it. The signal-specific
 * endpoint is used as-is. Otherwise, over OTLP/HTTP, `v1/<signal>` is appended to the base
 * endpoint (`http://collector:4318/mypath` -> `http://collector:4318/mypath/v1/traces`); over
 * OTLP/gRPC (`protocol: grpc`) the base endpoint is the target as-is, default
 * `http://localhost:4317` (gRPC takes its scheme, host and port; the method names the signal).
 * @example resolveOtlpUrl({ endpoint: 'http://jaeger:4318' }, 'traces') // 'http://jaeger:4318/v1/traces'
 * @example resolveOtlpUrl({ protocol: 'grpc' }, 'traces') // 'http://localhost:4317'
 */
export function resolveOtlpUrl(
  config: Pick<OtlpExporterConfig, 'endpoint' | 'tracesEndpoint' | 'metricsEndpoint'> & {
    readonly protocol?: OtlpExporterConfig['protocol'];
  },
  signal: OtlpSignal,
): string {
  const specific = signal === 'traces' ? config.tracesEndpoint : config.metricsEndpoint;
  if (specific !== undefined) return specific;
  if (config.protocol === 'grpc') return config.endpoint ?? DEFAULT_OTLP_GRPC_ENDPOINT;
  const base = config.endpoint ?? DEFAULT_OTLP_ENDPOINT;
  return `${base.endsWith('/') ? base : `${base}/`}v1/${signal}`;
}
