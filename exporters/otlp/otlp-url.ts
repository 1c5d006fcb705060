import type { OtlpExporterConfig } from './types.ts';

/** Base URL the OTLP exporter specification defaults to when no endpoint is configured. */
export const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318';

/** A signal OTLP/HTTP carries, and the path the specification gives it. */
export type OtlpSignal = 'traces' | 'metrics';

/**
 * The URL a signal is posted to, as the OTLP exporter specification resolves it: the
 * signal-specific endpoint is used as-is; otherwise `v1/<signal>` is appended to the base endpoint
 * (`http://collector:4318/mypath` -> `http://collector:4318/mypath/v1/traces`).
 * @example resolveOtlpUrl({ endpoint: 'http://jaeger:4318' }, 'traces') // 'http://jaeger:4318/v1/traces'
 */
export function resolveOtlpUrl(
  config: Pick<OtlpExporterConfig, 'endpoint' | 'tracesEndpoint' | 'metricsEndpoint'>,
  signal: OtlpSignal,
): string {
  const specific = signal === 'traces' ? config.tracesEndpoint : config.metricsEndpoint;
  if (specific !== undefined) return specific;
  const base = config.endpoint ?? DEFAULT_OTLP_ENDPOINT;
  return `${base.endsWith('/') ? base : `${base}/`}v1/${signal}`;
}
