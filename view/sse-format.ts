/** Server-Sent Events framing (WHATWG HTML, "Server-sent events"): one event as the text on the wire. */

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
