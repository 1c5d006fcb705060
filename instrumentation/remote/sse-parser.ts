/**
 * An incremental Server-Sent Events parser following the WHATWG HTML "event stream interpretation":
 * lines end in CRLF, LF or CR (also across chunks), `:` starts a comment, `data:` lines join with
 * LF, a blank line dispatches, `id` persists across events and ignores values holding NUL, `retry`
 * takes only digits, and an event without data is not dispatched.
 */

/** One dispatched event. */
export interface SseMessage {
  /** The `event:` field, `message` when absent. */
  readonly event: string;
  /** The `data:` lines joined with LF. */
  readonly data: string;
  /** The last event id seen so far in the stream ('' when none). */
  readonly id: string;
}

/** Callbacks of {@link SseParser}. */
export interface SseParserOptions {
  onEvent(message: SseMessage): void;
  /** A `retry:` field, ms. */
  onRetry?(retryMs: number): void;
  /** A comment line, without its leading colon. */
  onComment?(comment: string): void;
}

/**
 * @example
 * const parser = new SseParser({ onEvent: (e) => console.log(e.event, e.data) });
 * for await (const text of body.pipeThrough(new TextDecoderStream())) parser.push(text);
 */
export class SseParser {
  readonly #options: SseParserOptions;
  /** Text after the last complete line. */
  #pending = '';
  /** The previous chunk ended in CR: a leading LF of the next one belongs to it. */
  #afterCr = false;
  #started = false;
  #event = '';
  /** The data lines, each followed by LF (so `data:` alone makes it non-empty). */
  #data = '';
  #lastId = '';

  constructor(options: SseParserOptions) {
    this.#options = options;
  }

  /** Feeds decoded text; complete events are dispatched before it returns. */
  push(text: string): void {
    let chunk = text;
    if (!this.#started && chunk !== '') {
      this.#started = true;
      if (chunk.startsWith('\uFEFF')) chunk = chunk.slice(1);
    }
    if (this.#afterCr && chunk.startsWith('\n')) chunk = chunk.slice(1);
    this.#afterCr = chunk.endsWith('\r');
    const lines = (this.#pending + chunk).split(/\r\n|\r|\n/);
    this.#pending = lines.pop() as string;
    for (const line of lines) this.#line(line);
  }

  /** The stream ended: an unterminated event is discarded, as the standard says. */
  reset(): void {
    this.#pending = '';
    this.#afterCr = false;
    this.#started = false;
    this.#event = '';
    this.#data = '';
  }

  /** The last event id seen; survives {@link reset} (it is what a reconnection resumes from). */
  get lastEventId(): string {
    return this.#lastId;
  }

  #line(line: string): void {
    if (line === '') this.#dispatch();
    else if (line.startsWith(':')) this.#options.onComment?.(line.slice(1).trimStart());
    else {
      const colon = line.indexOf(':');
      const value = colon === -1 ? '' : line.slice(colon + 1);
      this.#field(colon === -1 ? line : line.slice(0, colon), value.startsWith(' ') ? value.slice(1) : value);
    }
  }

  #field(field: string, value: string): void {
    if (field === 'event') this.#event = value;
    else if (field === 'data') this.#data += `${value}\n`;
    else if (field === 'id' && !value.includes('\0')) this.#lastId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.#options.onRetry?.(Number(value));
  }

  #dispatch(): void {
    const event = this.#event;
    const data = this.#data;
    this.#event = '';
    this.#data = '';
    if (data === '') return;
    this.#options.onEvent({ event: event || 'message', data: data.slice(0, -1), id: this.#lastId });
  }
}
