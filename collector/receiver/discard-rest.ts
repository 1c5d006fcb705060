/**
 * What happens to a request body the receiver did not read to its end (it refused the request on
 * its headers, or stopped reading at the size limit or at a bad gzip stream). `Connection: close`
 * would make Node close the socket right after the answer with the body's unread bytes still in
 * the kernel's buffer, and closing a socket with unread bytes sends a TCP reset, which also throws
 * away the answer at a client that has not read it yet: a client still writing its body then sees
 * EPIPE or ECONNRESET instead of the 413 or 404 and, as OTLP exporters do on connection errors,
 * sends the same refused request again. So the rest is read and thrown away, within a bound of
 * bytes and time, and the connection stays usable when the body ends within it; past the bound the
 * connection is cut (the client has had the answer for that long). Go's net/http and nginx's
 * lingering close do the same.
 */
import type { IncomingMessage } from 'node:http';
import type { Clock } from '../../agent/index.ts';

/** Bounds of {@link discardRest}. */
export interface DiscardOptions {
  /** Most bytes read and thrown away, bytes. */
  readonly maxBytes: number;
  /** Longest time spent on it, ms. */
  readonly maxMs: number;
  /** Runs the `maxMs` timer (the agent's clock; its timers never keep the process alive). */
  readonly clock: Clock;
}

/** Longest a refused body is read and thrown away before the connection is cut, ms. */
export const DISCARD_MAX_MS = 2000;

/** Most bytes of a refused body read and thrown away: 8 times the largest body on the wire. */
export const DISCARD_WIRE_BODIES = 8;

/**
 * Reads and throws away what is left of `request`'s body; cuts the connection once more than
 * `maxBytes` arrived or after `maxMs`. Does nothing when the body was read to its end.
 */
export function discardRest(request: IncomingMessage, options: DiscardOptions): void {
  if (request.complete) return;
  let discardedBytes = 0;
  const cut = (): void => {
    timer.cancel();
    request.socket.destroy();
  };
  const timer = options.clock.after(options.maxMs, cut);
  request.on('data', (chunk: Buffer) => {
    discardedBytes += chunk.length;
    if (discardedBytes > options.maxBytes) cut();
  });
  request.once('end', () => timer.cancel());
  request.once('close', () => timer.cancel());
  request.resume();
}
