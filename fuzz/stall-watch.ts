/**
 * Notices when this process stopped serving its event loop (a slow case being generated or run
 * in-process, a busy machine): a request that failed across such a stall failed for the client's
 * sake (its deadline timer fired late, or the receiver gave up waiting for it to read), so it is
 * sent again rather than counted against the receiver.
 */

/** A pause of the event loop longer than this is a stall, ms. */
const STALL_MS = 1000;
const TICK_MS = 100;

export class StallWatch {
  readonly #timer: NodeJS.Timeout;
  #lastTickMs = performance.now();
  #stalls = 0;

  constructor() {
    this.#timer = setInterval(() => {
      const nowMs = performance.now();
      if (nowMs - this.#lastTickMs > STALL_MS) this.#stalls++;
      this.#lastTickMs = nowMs;
    }, TICK_MS);
    this.#timer.unref();
  }

  /** A mark to compare with {@link stalledSince} later. */
  mark(): number {
    return this.#stalls;
  }

  /** Whether the loop stalled since `mark` (or is stalled right now). */
  stalledSince(mark: number): boolean {
    return this.#stalls !== mark || performance.now() - this.#lastTickMs > STALL_MS;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
