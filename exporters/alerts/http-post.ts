/**
 * One JSON POST with the global `fetch`, no retries, its outcome classified as a value: the
 * channel's delivery loop decides what happens next. Retryable: network errors, timeouts, 408,
 * 429 and 5xx (with Retry-After read); any other non-2xx is final.
 */
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { parseRetryAfterMs } from '../http/index.ts';

/** Characters of a failed reply's body kept for the diagnostic message. */
const REPLY_EXCERPT_CHARS = 200;

/** Outcome of one attempt; `post` never rejects. */
export type PostResult =
  | { readonly status: 'ok' }
  | { readonly status: 'retryable'; readonly retryAfterMs?: number; readonly error: string }
  | { readonly status: 'failed'; readonly error: string };

/** One request. */
export interface PostRequest {
  readonly url: string;
  readonly body: string;
  readonly headers: Headers;
  /** Bound of the request, from connecting to the last reply byte, ms. */
  readonly timeoutMs: number;
  /** Aborts the request (shutdown deadline). */
  readonly signal: AbortSignal;
  /** Now, ms since the epoch, to read a Retry-After date. */
  readonly nowMs: number;
}

/** True for statuses worth retrying: 408 Request Timeout, 429 Too Many Requests, 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Posts `request.body`; resolves with the classified outcome. */
export async function post(request: PostRequest): Promise<PostResult> {
  try {
    // Our own requests must not be traced: HTTP instrumentation would feed them back to the agent.
    return await context.with(suppressTracing(context.active()), () => attempt(request));
  } catch (error) {
    if (request.signal.aborted) return { status: 'failed', error: 'aborted at shutdown' };
    // fetch rejects on network errors and on its own timeout: both are transient.
    return { status: 'retryable', error: describe(error) };
  }
}

async function attempt(request: PostRequest): Promise<PostResult> {
  const response = await fetch(request.url, {
    method: 'POST',
    body: request.body,
    headers: request.headers,
    // A redirect is a configuration mistake; following it could send a signed body elsewhere.
    redirect: 'manual',
    signal: AbortSignal.any([request.signal, AbortSignal.timeout(request.timeoutMs)]),
  });
  if (response.ok) {
    await response.body?.cancel();
    return { status: 'ok' };
  }
  const reply = (await response.text()).slice(0, REPLY_EXCERPT_CHARS).trim();
  const error = `HTTP ${response.status}${reply === '' ? '' : `: ${reply}`}`;
  if (!isRetryableStatus(response.status)) return { status: 'failed', error };
  const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'), request.nowMs);
  return { status: 'retryable', error, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.name === 'TimeoutError' ? 'timed out' : error.message}${cause}`;
}
