/**
 * Whether a backend accepted a call, by default. The SRE book counts as accepts the requests the
 * backend took; what it refuses for overload comes back as HTTP 429 (Too Many Requests) or 503
 * (Service Unavailable, what Headroom's own admission answers). Any other status means the
 * backend took the call, even an error status: a 500 or a 404 is not overload.
 */
import type { CallOutcome } from './types.ts';

/** Statuses that say "refused, overloaded". */
const REFUSED_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/**
 * The default of `RunOptions.isAccepted`: an HTTP status (`status` or `statusCode` of the value,
 * or of the error or its `response`, as fetch, node:http, undici, axios and got report it) of 429
 * or 503 is refused, any other accepted; an error without a status (connection refused or reset,
 * timeout, abort: the backend did not take the work) is refused; a value without one is accepted.
 */
export function acceptedByDefault(outcome: CallOutcome<unknown>): boolean {
  const status = outcome.ok
    ? statusOf(outcome.value)
    : (statusOf(outcome.error) ?? responseStatusOf(outcome.error));
  if (status === undefined) return outcome.ok;
  return !REFUSED_STATUSES.has(status);
}

/** The HTTP status `value` carries, if any. */
function statusOf(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { status, statusCode } = value as { status?: unknown; statusCode?: unknown };
  if (isStatus(status)) return status;
  return isStatus(statusCode) ? statusCode : undefined;
}

/** The status of an error's `response` (axios, got). */
function responseStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  return statusOf((error as { response?: unknown }).response);
}

function isStatus(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 100 && (value as number) <= 599;
}
