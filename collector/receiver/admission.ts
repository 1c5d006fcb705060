/**
 * Overload protection of the receiver. Memory is what requests hold, so admission is counted in
 * body bytes, as Envoy's buffer accounting does, not in requests: the bodies being received and
 * processed share a budget (`maxQueuedRequests` x `maxBodySize`), each holding what it has received
 * so far. A sender that trickles its body holds a connection (bounded by `maxConnections` and the
 * body deadlines), not room others need. A heap above the ceiling refuses with 503 and a full budget
 * with 429, both with `Retry-After`, before a byte of the body is read when the headers tell.
 */
import type { Clock } from '../../agent/index.ts';

/** Why a request was refused for overload. */
export type OverloadReason = 'queue_full' | 'memory';

/** Options of {@link Admission}. */
export interface AdmissionOptions {
  /** Most body bytes held at once, all requests together (after decompression). */
  readonly maxBufferedBytes: number;
  /** Heap use above which requests are refused, bytes. */
  readonly maxHeapBytes: number;
  /** Current heap use, bytes. @default () => process.memoryUsage().heapUsed */
  readonly heapUsedBytes?: () => number;
  /** Bounds {@link Admission.drain} (the agent's clock; its timers never keep the process alive). */
  readonly clock: Clock;
}

/** One admitted request's share of the budget. */
export interface AdmissionTicket {
  /** Counts `bytes` more of the body; false, counting nothing, when they would pass the budget. */
  hold(bytes: number): boolean;
  /** Gives back the request's bytes once it is answered or gone. Idempotent. */
  release(): void;
}

export class Admission {
  readonly #maxBufferedBytes: number;
  readonly #maxHeapBytes: number;
  readonly #heapUsedBytes: () => number;
  readonly #clock: Clock;
  #inFlight = 0;
  #bufferedBytes = 0;
  #drained: (() => void) | undefined;

  constructor(options: AdmissionOptions) {
    this.#maxBufferedBytes = options.maxBufferedBytes;
    this.#maxHeapBytes = options.maxHeapBytes;
    this.#heapUsedBytes = options.heapUsedBytes ?? (() => process.memoryUsage().heapUsed);
    this.#clock = options.clock;
  }

  /** Requests admitted and not finished (bodies being received included). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Body bytes held now, all requests together. */
  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  /**
   * Admits a request whose headers declare `declaredBytes` (0 when unknown), or says why not:
   * memory first (the harder limit), then a budget that cannot take the declared body now.
   * The caller must release the ticket once the request is answered or gone.
   */
  admit(declaredBytes = 0): { readonly refused: OverloadReason } | { readonly ticket: AdmissionTicket } {
    if (this.#heapUsedBytes() > this.#maxHeapBytes) return { refused: 'memory' };
    if (this.#bufferedBytes + Math.max(1, declaredBytes) > this.#maxBufferedBytes)
      return { refused: 'queue_full' };
    this.#inFlight++;
    let held = 0;
    let released = false;
    return {
      ticket: {
        hold: (bytes) => {
          if (released) return false;
          if (this.#bufferedBytes + bytes > this.#maxBufferedBytes) return false;
          held += bytes;
          this.#bufferedBytes += bytes;
          return true;
        },
        release: () => {
          if (released) return;
          released = true;
          this.#bufferedBytes -= held;
          this.#inFlight--;
          if (this.#inFlight === 0) this.#drained?.();
        },
      },
    };
  }

  /** Resolves once nothing is in flight, or after `timeoutMs` of the clock; true when drained. */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.#inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = this.#clock.after(timeoutMs, () => {
        this.#drained = undefined;
        resolve(false);
      });
      this.#drained = () => {
        timer.cancel();
        this.#drained = undefined;
        resolve(true);
      };
    });
  }
}
