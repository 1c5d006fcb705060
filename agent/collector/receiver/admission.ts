/**
 * Overload protection of the receiver, decided from the request line and headers alone (before a
 * byte of the body is read): too many requests in flight gets a 429, a heap above the configured
 * ceiling a 503, both with `Retry-After` so OTLP clients back off instead of piling on.
 */

/** Why a request was refused for overload. */
export type OverloadReason = 'queue_full' | 'memory';

/** Options of {@link Admission}. */
export interface AdmissionOptions {
  /** Most requests in flight at once; one more is refused. */
  readonly maxInFlight: number;
  /** Heap use above which requests are refused, bytes. */
  readonly maxHeapBytes: number;
  /** Current heap use, bytes. @default () => process.memoryUsage().heapUsed */
  readonly heapUsedBytes?: () => number;
}

export class Admission {
  readonly #maxInFlight: number;
  readonly #maxHeapBytes: number;
  readonly #heapUsedBytes: () => number;
  #inFlight = 0;
  #drained: (() => void) | undefined;

  constructor(options: AdmissionOptions) {
    this.#maxInFlight = options.maxInFlight;
    this.#maxHeapBytes = options.maxHeapBytes;
    this.#heapUsedBytes = options.heapUsedBytes ?? (() => process.memoryUsage().heapUsed);
  }

  /** Requests admitted and not finished. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Admits a request (the caller must call the returned function once it is answered or gone),
   * or says why not. Memory is checked first: it is the harder limit.
   */
  admit(): { readonly refused: OverloadReason } | { readonly release: () => void } {
    if (this.#heapUsedBytes() > this.#maxHeapBytes) return { refused: 'memory' };
    if (this.#inFlight >= this.#maxInFlight) return { refused: 'queue_full' };
    this.#inFlight++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#inFlight--;
        if (this.#inFlight === 0) this.#drained?.();
      },
    };
  }

  /** Resolves once nothing is in flight, or after `timeoutMs`; true when drained. */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.#inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#drained = undefined;
        resolve(false);
      }, timeoutMs);
      timer.unref(); // closing must never be what keeps the process alive
      this.#drained = () => {
        clearTimeout(timer);
        this.#drained = undefined;
        resolve(true);
      };
    });
  }
}
