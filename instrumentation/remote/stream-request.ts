/** The HTTP side of the remote client: open the decision stream with `fetch`, read it as text. */
import type { Clock } from '../../agent/index.ts';

/** Where and how to open the stream. */
export interface StreamTarget {
  /** Base URL of the decision API; a path prefix (behind a proxy) is kept. */
  readonly url: string;
  /** '' (or absent) for a service without a namespace. */
  readonly namespace?: string;
  readonly service: string;
  readonly token?: string;
  readonly fetch?: typeof fetch;
}

/** An open stream, or why there is none. */
export type StreamOutcome =
  | { readonly ok: true; readonly body: ReadableStream<Uint8Array> }
  | { readonly ok: false; readonly problem: string };

/** `${url}/api/v1/decisions/stream?namespace=...&service=...`: exactly one service's events. */
function streamUrl(base: string, service: string, namespace = ''): URL {
  const url = new URL('api/v1/decisions/stream', base.endsWith('/') ? base : `${base}/`);
  url.searchParams.set('namespace', namespace);
  url.searchParams.set('service', service);
  return url;
}

/** Opens the stream, resuming after `lastEventId` when it is not ''. Rejects only when fetch does. */
export async function streamRequest(
  target: StreamTarget,
  lastEventId: string,
  signal: AbortSignal,
): Promise<StreamOutcome> {
  const headers: Record<string, string> = { accept: 'text/event-stream', 'cache-control': 'no-cache' };
  if (target.token !== undefined) headers.authorization = `Bearer ${target.token}`;
  if (lastEventId !== '') headers['last-event-id'] = lastEventId;
  const response = await (target.fetch ?? fetch)(streamUrl(target.url, target.service, target.namespace), {
    headers,
    signal,
  });
  if (!response.ok) return { ok: false, problem: `HTTP ${response.status}: ${await errorMessage(response)}` };
  const type = response.headers.get('content-type') ?? '';
  if (response.body !== null && type.startsWith('text/event-stream'))
    return { ok: true, body: response.body };
  await response.body?.cancel();
  return { ok: false, problem: `expected text/event-stream, got "${type}"` };
}

/** Why {@link readStream} returned. */
export type StreamEnd = 'ended' | 'aborted' | 'idle';

/** How long a stream may stay silent, on which clock. */
export interface IdleBound {
  /** A stream silent this long is presumed dead, ms. */
  readonly idleTimeoutMs: number;
  readonly clock: Clock;
}

/**
 * Reads `body` as text into `onText` until it ends or `controller` aborts (close, or silence for
 * `idle.idleTimeoutMs`: a half-open connection would otherwise look alive forever). The reader is
 * cancelled on abort, so this returns even when a `fetch` ignores its signal; the request is
 * aborted on every way out, so nothing stays open.
 */
export async function readStream(
  body: ReadableStream<Uint8Array>,
  controller: AbortController,
  idle: IdleBound,
  onText: (text: string) => void,
): Promise<StreamEnd> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const cancel = () => reader.cancel().catch(() => {});
  controller.signal.addEventListener('abort', cancel, { once: true });
  let silent = false;
  const arm = () =>
    idle.clock.after(idle.idleTimeoutMs, () => {
      silent = true;
      controller.abort();
    });
  let timer = arm();
  const end = (): StreamEnd => {
    if (silent) return 'idle';
    return controller.signal.aborted ? 'aborted' : 'ended';
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return end();
      timer.cancel();
      timer = arm();
      onText(value);
    }
  } catch (error) {
    // An aborted fetch may reject the read instead of ending it.
    if (controller.signal.aborted) return end();
    throw error;
  } finally {
    timer.cancel();
    controller.signal.removeEventListener('abort', cancel);
    controller.abort();
  }
}

/** The `error.message` of an API error body, else the start of the body as text. */
async function errorMessage(response: Response): Promise<string> {
  try {
    const text = await response.text();
    const parsed: unknown = JSON.parse(text);
    const message = (parsed as { error?: { message?: unknown } } | null)?.error?.message;
    return typeof message === 'string' ? message : text.slice(0, 200);
  } catch {
    return response.statusText || 'unexpected response';
  }
}
