/**
 * Whether a backend accepted a call, by default. The SRE book counts as accepts the requests the
 * backend took; what it refuses for overload comes back as HTTP 429 (Too Many Requests) or 503
 * (Service Unavailable, what Headroom's own admission answers). Any other status means the
 * backend took the call, even an error status: a 500 or a 404 is not overload. A call the caller
 * aborted itself is neither: the backend never answered, so it is not counted at all.
 */
import type { CallOutcome } from './types.ts';

/** Statuses that say "refused, overloaded". */
const REFUSED_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/**
 * The default of `RunOptions.isAccepted`: an HTTP status (`status` or `statusCode` of the value,
 * or of the error or its `response`, as fetch, node:http, undici, axios and got report it) of 429
 * or 503 is refused, any other accepted; an error without a status (connection refused or reset,
 * timeout: the backend did not take the work) is refused; a value without one is accepted. A
 * caller's abort never gets here (see {@link callerAborted}).
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

/**
 * Whether a call failed because its caller gave up on it, not because the backend refused it: the
 * error carries no HTTP status (the backend did not answer) and either `signal` (the caller's own,
 * `RunOptions.signal`) was aborted for any reason but a timeout, or the error is named
 * `AbortError` (fetch, undici, node:http and `AbortSignal.abort()` name a plain abort so, e.g.
 * `req.headroom.signal` when this service's client disconnects). A `TimeoutError` (a deadline:
 * `AbortSignal.timeout()`, `op.signal`, the middleware's hard deadline) is the backend being too
 * slow, so it stays a refusal. Such a call is neither a request nor an accept (Google SRE,
 * "Handling Overload": the client counts what the backend took and what it was asked for).
 */
export function callerAborted(error: unknown, signal: AbortSignal | undefined): boolean {
  if (statusOf(error) !== undefined || responseStatusOf(error) !== undefined) return false;
  if (signal?.aborted === true) return !isTimeout(signal.reason);
  return nameOf(error) === 'AbortError';
}

function isTimeout(reason: unknown): boolean {
  return nameOf(reason) === 'TimeoutError';
}

/** The `name` of an error-like value (an Error, a DOMException, a plain object), if a string. */
function nameOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { name } = value as { name?: unknown };
  return typeof name === 'string' ? name : undefined;
}
