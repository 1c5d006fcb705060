// The page's one connection to Headroom: GET /api/v1/view/stream, read with fetch() so that the
// token travels in the Authorization header, reopened with capped exponential backoff when it
// breaks (the first event of each connection is the whole view, so nothing is missed).

import { readEvents } from './sse.js';

/** The server sends `: keepalive` every 15 s; silence for this long means the connection is gone. */
const SILENCE_MS = 45_000;
/** Backoff between attempts: 1 s doubling up to 30 s, each with up to 20 % jitter. */
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

/** The error message of an API answer (`{ error: { message } }`), else its status line. */
async function errorMessage(response) {
  try {
    const body = await response.json();
    if (typeof body?.error?.message === 'string') return body.error.message;
  } catch {
    // Not JSON: the status says enough.
  }
  return `HTTP ${response.status} ${response.statusText}`.trim();
}

/**
 * Keeps the stream open and reports what happens.
 * `onState` receives `{ state: 'connecting' | 'live' | 'retrying' | 'unauthorized' | 'forbidden',
 * message?, retryAtMs? }`; `onEvent` receives each event's name and parsed JSON.
 */
export class LiveStream {
  #token;
  #onEvent;
  #onState;
  #attempt = 0;
  #controller = undefined;
  #retryTimer = undefined;
  #silenceTimer = undefined;
  #stopped = false;

  /**
   * @param {{ token: () => string | null, onEvent: (name: string, data: any) => void,
   *   onState: (state: { state: string, message?: string, retryAtMs?: number }) => void }} options
   */
  constructor(options) {
    this.#token = options.token;
    this.#onEvent = options.onEvent;
    this.#onState = options.onState;
  }

  /** Opens the stream (again), dropping a connection or a retry in progress. */
  start() {
    this.stop();
    this.#stopped = false;
    void this.#connect();
  }

  /** Closes the stream; nothing is reported after this. */
  stop() {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#silenceTimer);
    this.#controller?.abort();
    this.#controller = undefined;
  }

  async #connect() {
    const controller = new AbortController();
    this.#controller = controller;
    this.#onState({ state: 'connecting' });
    const token = this.#token();
    const headers = { accept: 'text/event-stream' };
    if (token) headers.authorization = `Bearer ${token}`;
    let response;
    try {
      response = await fetch('/api/v1/view/stream', {
        headers,
        signal: controller.signal,
        cache: 'no-store',
      });
    } catch (error) {
      if (controller === this.#controller) this.#retry(`cannot reach Headroom: ${error.message}`);
      return;
    }
    if (controller !== this.#controller) return;
    if (!response.ok || response.body === null) {
      await this.#refused(response);
      return;
    }
    this.#attempt = 0;
    this.#onState({ state: 'live' });
    this.#watch(controller);
    let reason = 'the server ended the stream';
    try {
      await readEvents(
        response.body,
        (event) => this.#dispatch(event),
        () => this.#watch(controller),
      );
    } catch (error) {
      reason =
        controller.signal.reason === 'silent' ? 'no data for 45 s' : `the stream broke: ${error.message}`;
    }
    if (controller === this.#controller) this.#retry(reason);
  }

  async #refused(response) {
    const message = await errorMessage(response);
    if (response.status === 401) this.#onState({ state: 'unauthorized', message });
    else if (response.status === 403) this.#onState({ state: 'forbidden', message });
    else if (response.status === 429) {
      const seconds = Number(response.headers.get('retry-after'));
      this.#retry(
        `too many open streams: ${message}`,
        Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : MAX_RETRY_MS,
      );
    } else this.#retry(message);
  }

  #dispatch({ event, data }) {
    let parsed;
    try {
      parsed = JSON.parse(data);
    } catch {
      return;
    }
    this.#onEvent(event, parsed);
  }

  #watch(controller) {
    clearTimeout(this.#silenceTimer);
    this.#silenceTimer = setTimeout(() => controller.abort('silent'), SILENCE_MS);
  }

  #retry(message, delayMs) {
    clearTimeout(this.#silenceTimer);
    if (this.#stopped) return;
    const backoff = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.#attempt);
    this.#attempt++;
    const waitMs = delayMs ?? Math.round(backoff * (1 + 0.2 * Math.random()));
    this.#onState({ state: 'retrying', message, retryAtMs: Date.now() + waitMs });
    this.#retryTimer = setTimeout(() => void this.#connect(), waitMs);
  }
}
