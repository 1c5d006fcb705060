/**
 * The write side of one answer (an event stream, or a large `GET /api/v1/view`), bounded for a
 * client that reads slowly or not at all. The writer keeps its own queue and hands the response one
 * slice of at most 64 KiB at a time, the next from the previous slice's write callback, so each
 * slice the client takes is seen as progress (`writableLength` of a real socket moves only when a
 * whole write completes: one 4 MB write would show no progress for as long as it takes). An answer
 * is cut (its socket destroyed) only when its client makes no progress or falls too far behind,
 * never because one large event is still on its way:
 * - stalled: more than 64 KiB pending and no slice taken for `stallMs` (checked at each write and
 *   by a timer on the clock, so an answer with no later writes is cut too). A few KiB pending are
 *   not a stall, and cost nothing;
 * - too far behind: the bytes pending would exceed `2 × the largest event sent + 1 MiB`, so the
 *   first event (the whole view, ~4 MB at 1,000 operations) and a few seconds of events behind it
 *   fit, while a reader that never catches up holds a bounded amount of memory;
 * - over the shared budget ({@link PendingBudget}, `api.maxPendingSize`): a write that would take
 *   the bytes of all answers together past it cuts its answer when that answer is behind (more than
 *   64 KiB pending); an answer that keeps up still gets its event.
 * The bound follows the idea of Node's own backpressure ("Backpressuring in Streams"): memory is
 * bounded, time to drain is not demanded while bytes move.
 */
import type { ServerResponse } from 'node:http';
import { diag } from '@opentelemetry/api';
import type { Clock, TimerHandle } from '../agent/index.ts';
import type { PendingBudget } from './pending-budget.ts';

/** Slack above twice the largest event, bytes. */
const MARGIN_BYTES = 1024 * 1024;
/** Pending bytes at or below this never count as a stall; also the size of one slice. */
export const SLICE_BYTES = 64 * 1024;
/** An answer with more than a slice pending and no slice taken for this long is cut, ms. */
export const STALL_MS = 10_000;

/** Options of {@link BoundedWriter}. */
export interface BoundedWriterOptions {
  /** The budget all answers share; none: this answer's own bounds only. */
  readonly budget?: PendingBudget | undefined;
  /** How long a client may take no slice before it is cut, ms. @default 10000 */
  readonly stallMs?: number | undefined;
}

/** One event or answer: a text, or chunks sent back to back (a shared serialized view between its framing). */
export type Chunks = string | Buffer | readonly (string | Buffer)[];

/** Writes to one answer; never throws (it runs from timers and the agent's tick). */
export class BoundedWriter {
  readonly #response: ServerResponse;
  readonly #name: string;
  readonly #clock: Clock;
  readonly #stallMs: number;
  readonly #budget: PendingBudget | undefined;
  /** Chunks not wholly taken yet; the head's first `#offset` bytes are handed to the response. */
  readonly #queue: Buffer[] = [];
  #offset = 0;
  /** Bytes written to this writer and not yet taken by the socket. */
  #pendingBytes = 0;
  #inFlight = false;
  #largestBytes = 0;
  /** When the client last took a slice (or had nothing pending worth a stall), ms. */
  #progressAtMs: number;
  #stallTimer: TimerHandle | undefined;
  #ending = false;
  #closed = false;

  /** @param name names the answer in the debug log: `headroom: <name> cut: …`. */
  constructor(response: ServerResponse, name: string, clock: Clock, options: BoundedWriterOptions = {}) {
    this.#response = response;
    this.#name = name;
    this.#clock = clock;
    this.#stallMs = options.stallMs ?? STALL_MS;
    this.#budget = options.budget;
    this.#progressAtMs = clock.now();
    response.once('close', () => this.#close());
  }

  /** Bytes written and not yet taken by the client's socket. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Writes one event, or cuts the answer when its client is stalled, too far behind or over the budget. */
  write(event: Chunks): void {
    if (this.#closed || this.#ending) return;
    try {
      const chunks = toBuffers(event);
      const bytes = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
      if (bytes === 0) return;
      this.#largestBytes = Math.max(this.#largestBytes, bytes);
      const reason = this.#cutReason(chunks, bytes);
      if (reason !== undefined) {
        this.#cut(reason);
        return;
      }
      const budget = this.#budget;
      for (const chunk of chunks) {
        budget?.hold(chunk);
        this.#queue.push(chunk);
      }
      this.#pendingBytes += bytes;
      this.#pump();
      this.#armStallCheck();
    } catch (error) {
      diag.debug(`headroom: ${this.#name} write failed`, error);
      this.#response.destroy();
    }
  }

  /** Why writing `bytes` more (as `chunks`) cuts the answer; `undefined` when it does not. */
  #cutReason(chunks: readonly Buffer[], bytes: number): string | undefined {
    const pending = this.#pendingBytes;
    const nowMs = this.#clock.now();
    if (pending <= SLICE_BYTES) this.#progressAtMs = nowMs;
    if (nowMs - this.#progressAtMs >= this.#stallMs) return 'stalled';
    if (pending + bytes > 2 * this.#largestBytes + MARGIN_BYTES) return 'too far behind';
    const budget = this.#budget;
    if (budget !== undefined && pending > SLICE_BYTES && !chunks.every((chunk) => budget.admits(chunk)))
      return 'over api.maxPendingSize';
    return undefined;
  }

  /** Writes `answer` (as {@link write}), then ends the response once the client has taken it all. */
  end(answer: Chunks): void {
    this.write(answer);
    this.#ending = true;
    this.#endWhenDrained();
  }

  #pump(): void {
    const head = this.#queue[0];
    if (this.#inFlight || this.#closed || head === undefined) return;
    const slice = head.subarray(this.#offset, this.#offset + SLICE_BYTES);
    this.#offset += slice.length;
    this.#inFlight = true;
    this.#response.write(slice, (error) => this.#taken(slice.length, error));
  }

  /** The write callback of a slice: the socket took it (progress), or the answer failed. */
  #taken(bytes: number, error: Error | null | undefined): void {
    this.#inFlight = false;
    if (this.#closed || error) return;
    this.#pendingBytes -= bytes;
    this.#progressAtMs = this.#clock.now();
    const head = this.#queue[0] as Buffer;
    if (this.#offset === head.length) {
      this.#queue.shift();
      this.#offset = 0;
      this.#budget?.release(head);
    }
    this.#pump();
    this.#endWhenDrained();
  }

  #endWhenDrained(): void {
    if (this.#ending && this.#pendingBytes === 0 && !this.#closed) this.#response.end();
  }

  /** While more than a slice is pending, checks for a stall on the clock (an answer may get no later write). */
  #armStallCheck(): void {
    if (this.#stallTimer !== undefined || this.#pendingBytes <= SLICE_BYTES) return;
    const dueMs = Math.max(0, this.#progressAtMs + this.#stallMs - this.#clock.now());
    this.#stallTimer = this.#clock.after(dueMs, () => {
      this.#stallTimer = undefined;
      if (this.#closed || this.#pendingBytes <= SLICE_BYTES) return;
      if (this.#clock.now() - this.#progressAtMs >= this.#stallMs) this.#cut('stalled');
      else this.#armStallCheck();
    });
  }

  #cut(reason: string): void {
    diag.debug(`headroom: ${this.#name} cut (${reason}): ${this.#pendingBytes} bytes pending`);
    this.#response.destroy();
    this.#close();
  }

  /** Frees what the answer held: its chunks leave the budget, its timer stops. */
  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stallTimer?.cancel();
    for (const chunk of this.#queue.splice(0)) this.#budget?.release(chunk);
    this.#pendingBytes = 0;
  }
}

function toBuffers(event: Chunks): Buffer[] {
  const parts = typeof event === 'string' || Buffer.isBuffer(event) ? [event] : event;
  return parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part));
}
