/** Server-Sent Events framing (WHATWG HTML, "Server-sent events"): one event as the text on the wire. */
import type { ServerResponse } from 'node:http';
import { diag } from '@opentelemetry/api';

/** A stream whose client stopped reading is cut once this much is buffered, bytes. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * Writes `text` to an open event stream; never throws (it runs from timers and the agent's tick).
 * A client that stopped reading would make the buffer grow without bound: past 1 MiB buffered
 * the stream is cut instead. A failed write is logged at debug as `headroom: <stream> write failed`.
 */
export function writeBounded(response: ServerResponse, text: string, stream: string): void {
  if (response.writableEnded || response.destroyed) return;
  try {
    if (response.writableLength > MAX_BUFFERED_BYTES) response.destroy();
    else response.write(text);
  } catch (error) {
    diag.debug(`headroom: ${stream} write failed`, error);
    response.destroy();
  }
}

/** One event to send. */
export interface SseEvent {
  /** The `event:` field; the client's default is `message`. */
  readonly event?: string;
  /** The `id:` field; dropped when it holds CR, LF or NUL, which the format cannot carry. */
  readonly id?: string;
  /** The payload; each line becomes one `data:` line. */
  readonly data: string;
}

const UNSENDABLE = /[\r\n\0]/;

/**
 * `event: decision\nid: checkout:3\ndata: {...}\n\n`.
 * @example res.write(formatSseEvent({ event: 'state', data: JSON.stringify(state) }))
 */
export function formatSseEvent(event: SseEvent): string {
  let text = '';
  if (event.event !== undefined && !UNSENDABLE.test(event.event)) text += `event: ${event.event}\n`;
  if (event.id !== undefined && !UNSENDABLE.test(event.id)) text += `id: ${event.id}\n`;
  for (const line of event.data.split(/\r\n|\r|\n/)) text += `data: ${line}\n`;
  return `${text}\n`;
}

/** A comment line (`: keepalive`), ignored by clients; keeps proxies from closing an idle stream. */
export function formatSseComment(comment: string): string {
  return `: ${comment.replace(/[\r\n]+/g, ' ')}\n\n`;
}
