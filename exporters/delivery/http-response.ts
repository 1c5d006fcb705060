/**
 * How an HTTP reply or a network error is classified. OTLP (specification and the Collector's
 * exporterhelper): 429, 502, 503 and 504 are retryable, with Retry-After honoured; alert receivers
 * also answer 408 and any 5xx when they are only briefly unwell. Connection-level failures that
 * mean "down, restarting or unreachable" are retryable; others (TLS, protocol) are not.
 */
import { OTLPExporterError } from '@opentelemetry/otlp-exporter-base';
import { parseRetryAfterMs } from './retry-after.ts';
import type { DeliveryResult } from './types.ts';

/** Statuses the OTLP specification lists as retryable. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** OTLP: the statuses in {@link RETRYABLE_STATUSES}. */
export const isRetryableOtlpStatus = (status: number): boolean => RETRYABLE_STATUSES.has(status);

/** Alert receivers (webhooks, Alertmanager): 408 Request Timeout, 429 Too Many Requests, 5xx. */
export const isRetryableAlertStatus = (status: number): boolean =>
  status === 408 || status === 429 || status >= 500;

/** Connection-level error codes worth retrying: the receiver is down, restarting or unreachable. */
const RETRYABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

/** Characters of a failed reply's body kept in the error message. */
const REPLY_EXCERPT_CHARS = 200;

/** The outcome of one request; a success keeps the reply body (OTLP partial success). */
export type HttpResult = Exclude<DeliveryResult, { status: 'success' }> | HttpSuccess;

/** A 2xx reply. */
export interface HttpSuccess {
  readonly status: 'success';
  readonly rejected: number;
  readonly body: Buffer;
}

/** The reply as the classification needs it. */
export interface HttpReply {
  readonly status: number;
  readonly statusMessage?: string;
  readonly retryAfter?: string;
  readonly body: Buffer;
}

/**
 * The outcome of a complete reply: 2xx success, `retryable(status)` retryable (with the delay of
 * its Retry-After, read at `nowMs`), anything else a failure carrying an `OTLPExporterError`.
 * @param retryable @default {@link isRetryableOtlpStatus}
 */
export function classifyReply(
  reply: HttpReply,
  nowMs: number,
  retryable: (status: number) => boolean = isRetryableOtlpStatus,
): HttpResult {
  const { status, body } = reply;
  if (status >= 200 && status <= 299) return { status: 'success', rejected: 0, body };
  const text = body.toString('utf8');
  const excerpt = text.slice(0, REPLY_EXCERPT_CHARS).trim();
  const message = `HTTP ${status}${excerpt === '' ? ` ${reply.statusMessage ?? ''}`.trimEnd() : `: ${excerpt}`}`;
  const error = new OTLPExporterError(message, status, text);
  if (!retryable(status)) return { status: 'failure', error };
  const retryAfterMs = parseRetryAfterMs(reply.retryAfter, nowMs);
  return retryAfterMs === undefined
    ? { status: 'retryable', error }
    : { status: 'retryable', retryAfterMs, error };
}

/** The outcome of a request that failed before a complete reply. */
export function classifyNetworkError(error: unknown): HttpResult {
  const failure = error instanceof Error ? error : new Error(String(error));
  const code = (failure as NodeJS.ErrnoException).code;
  if (code !== undefined && RETRYABLE_NETWORK_CODES.has(code)) return { status: 'retryable', error: failure };
  return { status: 'failure', error: failure };
}
