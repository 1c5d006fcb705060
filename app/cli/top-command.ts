/**
 * `headroom top`: the live view in a terminal, refreshing in place. It reads the view stream
 * (`GET /api/v1/view/stream`, Server-Sent Events) of collector mode's decision API or of an
 * embedded service's view listener, with a bearer token, and redraws the table at each event.
 */
import { type Clock, sleep, systemClock, type TimerHandle } from '../../agent/index.ts';
import { SseParser } from '../../instrumentation/index.ts';
import { type Command, parseCommandArgs, UsageError } from './command.ts';
import type { CliIo } from './io.ts';
import { TopScreen } from './top-screen.ts';

const OPTIONS = {
  url: {
    type: 'string',
    value: 'URL',
    help: "where the view is served: collector mode's decision API or an embedded service's ui listener, or the page's address (.../ui/) (default http://127.0.0.1:4320)",
  },
  token: {
    type: 'string',
    value: 'TOKEN',
    help: 'a bearer token with the read scope (default: $HEADROOM_TOKEN)',
  },
  namespace: { type: 'string', value: 'NAMESPACE', help: 'only the services of this namespace' },
  once: { type: 'boolean', help: 'print one screen and exit instead of refreshing' },
} as const;

const DEFAULT_URL = 'http://127.0.0.1:4320';

/** Moves the cursor home and clears the screen (ANSI), so each frame replaces the last. */
const CLEAR = '\u001b[H\u001b[2J';

/** Exit code when the view cannot be read: unreachable, refused, or the stream failed (after the retry, with --once). */
const UNAVAILABLE = 1;

/** Backoff between connections, ms: 1 s doubling up to 30 s, as the page's (view/static/api.js). */
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

/**
 * A connection without a byte for this long is dropped and made again, ms: the server sends a
 * keepalive every 15 s, so this is three missed (as the page's SILENCE_MS, view/static/api.js). It
 * catches a half-open connection (a laptop that slept, a VPN or NAT that dropped it, a host gone
 * without a reset), where the stream would otherwise wait forever showing the last screen.
 */
const SILENCE_MS = 45_000;

/** How one connection ended: with an exit code, or with a reason to connect again. */
type Outcome = { readonly code: number } | { readonly retry: string; readonly afterMs?: number };

/**
 * Connects, and connects again after a dropped stream, an unreachable host or a 429/5xx with the
 * page's backoff (a 429's `Retry-After` when given), saying why on stderr; a view received resets
 * the backoff. With `--once` it retries once at most, then exits 1 with the reason. A 401, 403 or
 * other 4xx is final: retrying cannot help.
 */
async function topCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(OPTIONS, args);
  const base = viewOrigin(values.url ?? DEFAULT_URL);
  const url = new URL(`${base}/api/v1/view/stream`);
  if (values.namespace !== undefined) url.searchParams.set('namespace', values.namespace);
  const token = values.token ?? io.env.HEADROOM_TOKEN;
  const once = values.once === true;
  const clock = io.clock ?? systemClock;
  let failures = 0;
  for (;;) {
    const outcome = await connect(url, token, { io, clock, base, once }, () => {
      failures = 0;
    });
    if ('code' in outcome) return outcome.code;
    if (once && failures > 0) {
      io.stderr(`headroom top: ${outcome.retry}\n`);
      return UNAVAILABLE;
    }
    const waitMs = outcome.afterMs ?? Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** failures);
    failures++;
    io.stderr(`headroom top: ${outcome.retry}; retrying in ${Math.ceil(waitMs / 1000)} s\n`);
    await wait(clock, waitMs);
  }
}

/** What a connection needs besides its URL and token. */
interface Connection {
  readonly io: CliIo;
  readonly clock: Clock;
  /** The view's origin, named in messages. */
  readonly base: string;
  readonly once: boolean;
}

/**
 * Aborts a connection once it has been silent for {@link SILENCE_MS} on the clock; each byte
 * received starts the wait again.
 */
class SilenceWatch {
  readonly #clock: Clock;
  readonly #abort: () => void;
  #timer: TimerHandle | undefined;
  /** Whether the connection was aborted for its silence. */
  fired = false;

  constructor(clock: Clock, abort: () => void) {
    this.#clock = clock;
    this.#abort = abort;
    this.heard();
  }

  /** Something arrived: the silence starts again. */
  heard(): void {
    this.#timer?.cancel();
    this.#timer = this.#clock.after(SILENCE_MS, () => {
      this.fired = true;
      this.#abort();
    });
  }

  stop(): void {
    this.#timer?.cancel();
  }

  /** The reason to connect again. */
  static reason(base: string): string {
    return `no data from ${base} for ${SILENCE_MS / 1000} s (not even a keepalive)`;
  }
}

/** One connection: the stream followed until it ends or goes silent, or why it could not be opened. */
async function connect(
  url: URL,
  token: string | undefined,
  connection: Connection,
  onView: () => void,
): Promise<Outcome> {
  const controller = new AbortController();
  const silence = new SilenceWatch(connection.clock, () => controller.abort());
  try {
    return await request(url, token, connection, controller, silence, onView);
  } finally {
    silence.stop();
  }
}

async function request(
  url: URL,
  token: string | undefined,
  { io, base, once }: Connection,
  controller: AbortController,
  silence: SilenceWatch,
  onView: () => void,
): Promise<Outcome> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: token === undefined || token === '' ? {} : { authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
  } catch (error) {
    if (silence.fired) return { retry: SilenceWatch.reason(base) };
    return { retry: `cannot reach ${base}: ${describe(error)}` };
  }
  if (!response.ok || response.body === null) {
    const line = `${base} answered ${response.status}: ${await reason(response)}`;
    if (response.status === 429) return { retry: line, afterMs: retryAfterMs(response) };
    if (response.status >= 500 || response.status === 408) return { retry: line };
    io.stderr(`headroom top: ${line}\n`);
    return { code: UNAVAILABLE };
  }
  return follow(response.body, { controller, silence, io, base, once }, onView);
}

/** A 429's `Retry-After` (seconds), within the backoff's cap; undefined when absent or not a number. */
function retryAfterMs(response: Response): number | undefined {
  const seconds = Number(response.headers.get('retry-after') ?? Number.NaN);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(MAX_RETRY_MS, seconds * 1000) : undefined;
}

/** Waits `ms` on `clock`, holding the process for it (the clock's own timers are unref'd). */
async function wait(clock: Clock, ms: number): Promise<void> {
  const keepAlive = setTimeout(() => {}, ms);
  try {
    await sleep(clock, ms);
  } finally {
    clearTimeout(keepAlive);
  }
}

/** Paths a person may paste besides the root: the page's and the view API's. */
const VIEW_PATHS = /^\/(?:ui(?:\/.*)?|api\/v1\/view(?:\/stream)?\/?)$/;

/**
 * The origin (`http://host:port`) the view is served at, from `--url`: the listener's address, the
 * page's (`.../ui/`, a service page) or the API's. The view lives at the root of its host, so any
 * other path, a query, a fragment or credentials are a usage error that says what to give.
 */
function viewOrigin(text: string): string {
  const example = 'e.g. http://127.0.0.1:4320 (collector) or http://127.0.0.1:9466 (embedded)';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    url = new URL('invalid:');
  }
  if (!/^https?:\/\/[^/\s]/i.test(text) || url.host === '')
    throw new UsageError(`--url must be an http:// or https:// URL, ${example}; got "${text}"`);
  if (url.username !== '' || url.password !== '')
    throw new UsageError(
      '--url must not hold a user or password; give the token with --token or $HEADROOM_TOKEN',
    );
  if (
    text.includes('?') ||
    text.includes('#') ||
    !(/^\/+$/.test(url.pathname) || VIEW_PATHS.test(url.pathname))
  )
    throw new UsageError(
      `--url takes where the view is served, ${example}, or the page's address (${url.origin}/ui/); got "${text}"`,
    );
  return url.origin;
}

/** Reads the stream until it ends (retry) or, with `once`, until the first whole view is printed (0). */
async function follow(
  body: ReadableStream<Uint8Array>,
  stream: Omit<Connection, 'clock'> & {
    readonly controller: AbortController;
    readonly silence: SilenceWatch;
  },
  onView: () => void,
): Promise<Outcome> {
  const { controller, silence, io, base, once } = stream;
  const screen = new TopScreen();
  let printed = false;
  const parser = new SseParser({
    onEvent: ({ event, data }) => {
      if (printed) return;
      screen.apply(event, JSON.parse(data));
      if (screen.view === undefined) return;
      if (event === 'view') onView();
      io.stdout(once ? screen.render(base) : CLEAR + screen.render(base));
      if (once) {
        printed = true;
        controller.abort();
      }
    },
  });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of body) {
      silence.heard();
      parser.push(decoder.decode(chunk, { stream: true }));
    }
  } catch (error) {
    if (printed) return { code: 0 };
    if (silence.fired) return { retry: SilenceWatch.reason(base) };
    return { retry: `the stream from ${base} failed: ${describe(error)}` };
  }
  if (printed) return { code: 0 };
  return { retry: `${base} ended the stream` };
}

async function reason(response: Response): Promise<string> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { error?: { message?: string } };
    return body.error?.message ?? text;
  } catch {
    return text === '' ? response.statusText : text;
  }
}

function describe(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}

/** `headroom top`, for the command list and its help. */
export const TOP_COMMAND: Command = {
  name: 'top',
  summary: 'show the live view in the terminal, refreshing in place',
  usage: 'headroom top [--url URL] [--token TOKEN] [--namespace NAMESPACE] [--once]',
  description:
    'Shows every whole operation of the services the token may see, closest to its budget first: ' +
    'service, operation, context, level (* when overridden), p50/p95/p99, effective budget and ' +
    'headroom (1 - judged percentile / budget). It reads the live view stream (/api/v1/view/stream; ' +
    'ui.enabled) and redraws at each event until interrupted (Ctrl-C). A dropped stream, an ' +
    'unreachable host, a 429 or a 5xx is retried with backoff (1 s doubling to 30 s, or Retry-After), ' +
    'once at most with --once.',
  options: OPTIONS,
  exitCodes: [
    [0, 'printed (--once)'],
    [
      UNAVAILABLE,
      'the view could not be read: refused (401, 403, 404), or with --once still unreachable, refused (429, 5xx) or dropped after one retry',
    ],
    [2, 'usage error'],
  ],
  example: 'headroom top --url http://127.0.0.1:4320 --token "$READ_TOKEN"',
  run: topCommand,
};
