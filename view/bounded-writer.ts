/**
 * The write side of one event stream, bounded for a client that reads slowly or not at all.
 * A stream is cut (its socket destroyed) only when its client makes no progress or falls too far
 * behind, never because one large event is still on its way:
 * - stalled: more than 64 KiB is buffered and nothing of it drained for `stallMs` (checked at each
 *   write; a stream gets at least its keepalive every 15 s). A few KiB pending between two writes
 *   of one event-loop turn are not a stall, and cost nothing;
 * - too far behind: the bytes buffered would exceed `2 × the largest event sent + 1 MiB`, so the
 *   first event (the whole view, ~4 MB at 1,000 operations) and a few seconds of events behind
 *   it fit, while a reader that never catches up holds a bounded amount of memory.
 * The bound follows the idea of Node's own backpressure (`writable.writableLength`, "Backpressuring
 * in Streams"): memory per stream is bounded, time to drain is not demanded while bytes move.
 */
import type { ServerResponse } from 'node:http';
import { diag } from '@opentelemetry/api';
import type { Clock } from '../agent/index.ts';

/** Slack above twice the largest event, bytes. */
const MARGIN_BYTES = 1024 * 1024;
/** Buffered bytes at or below this never count as a stall. */
const STALL_FLOOR_BYTES = 64 * 1024;
/** A stream whose buffered bytes (above the floor) did not go down for this long is cut, ms. */
export const STALL_MS = 10_000;

/** Writes events to one open stream; never throws (it runs from timers and the agent's tick). */
export class BoundedWriter {
  readonly #response: ServerResponse;
  readonly #stream: string;
  readonly #clock: Clock;
  readonly #stallMs: number;
  #largestBytes = 0;
  /** `writableLength` right after the last write. */
  #bufferedAfterWrite = 0;
  /** When the client last made progress (drained something, or had nothing pending), ms. */
  #progressAtMs: number;

  /**
   * @param stream names the stream in the debug log: `headroom: <stream> write failed`.
   * @param stallMs how long a client may drain nothing before it is cut, ms. @default 10000
   */
  constructor(response: ServerResponse, stream: string, clock: Clock, stallMs = STALL_MS) {
    this.#response = response;
    this.#stream = stream;
    this.#clock = clock;
    this.#stallMs = stallMs;
    this.#progressAtMs = clock.now();
  }

  /** Writes `text`, or cuts the stream when its client is stalled or too far behind. */
  write(text: string): void {
    const response = this.#response;
    if (response.writableEnded || response.destroyed) return;
    try {
      const bytes = Buffer.byteLength(text);
      this.#largestBytes = Math.max(this.#largestBytes, bytes);
      const buffered = response.writableLength;
      const nowMs = this.#clock.now();
      if (buffered <= STALL_FLOOR_BYTES || buffered < this.#bufferedAfterWrite) this.#progressAtMs = nowMs;
      const stalled = nowMs - this.#progressAtMs >= this.#stallMs;
      if (stalled || buffered + bytes > 2 * this.#largestBytes + MARGIN_BYTES) {
        diag.debug(`headroom: ${this.#stream} cut: ${buffered} bytes buffered`);
        response.destroy();
        return;
      }
      response.write(text);
      this.#bufferedAfterWrite = response.writableLength;
    } catch (error) {
      diag.debug(`headroom: ${this.#stream} write failed`, error);
      response.destroy();
    }
  }
}
