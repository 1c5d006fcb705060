/**
 * How an OTLP/HTTP reply or a network error is classified, per the OTLP specification and the
 * Collector's exporterhelper: 429, 502, 503 and 504 are retryable (with Retry-After honoured),
 * other non-2xx statuses are not; connection-level failures are retryable.
 */

import type { ExportResponse } from '@opentelemetry/otlp-exporter-base';
import { OTLPExporterError } from '@opentelemetry/otlp-exporter-base';
import { parseRetryAfterMs } from '../http/index.ts';

/** Statuses the OTLP specification lists as retryable. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** Connection-level error codes worth retrying: the backend is down, restarting or unreachable. */
export const RETRYABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

/** The outcome of a complete reply. */
export function classifyReply(
  status: number,
  statusMessage: string | undefined,
  retryAfter: string | undefined,
  body: Buffer,
  nowMs: number,
): ExportResponse {
  if (status >= 200 && status <= 299) return { status: 'success', data: body };
  const error = new OTLPExporterError(statusMessage ?? `HTTP ${status}`, status, body.toString('utf8'));
  if (RETRYABLE_STATUSES.has(status)) {
    return { status: 'retryable', retryInMillis: parseRetryAfterMs(retryAfter, nowMs), error };
  }
  return { status: 'failure', error };
}

/** The outcome of a request that failed before a complete reply. */
export function classifyNetworkError(error: unknown): ExportResponse {
  const failure = error instanceof Error ? error : new Error(String(error));
  const code = (failure as NodeJS.ErrnoException).code;
  if (code !== undefined && RETRYABLE_NETWORK_CODES.has(code)) return { status: 'retryable', error: failure };
  return { status: 'failure', error: failure };
}
