/**
 * The bytes every answer of the live view and the decision stream holds while its client has not
 * taken them yet, together (`api.maxPendingSize`). Each stream is bounded by itself
 * ({@link BoundedWriter}); this bounds them all, so readers that read slowly or not at all cannot
 * grow the process without limit (in embedded mode the process is the user's service). A chunk is
 * counted once however many answers hold it: the view is serialized once per filter and shared
 * (view/view-cache.ts), so N readers of one view cost one copy, as they do in memory.
 */

/** The shared budget; one per listener (collector mode: the decision API's, shared with the view). */
export class PendingBudget {
  readonly #maxBytes: number;
  /** Each chunk held, with how many answers hold it. */
  readonly #holders = new Map<Buffer, number>();
  #bytes = 0;

  /** @param maxBytes most bytes held at once, all answers together (`api.maxPendingSize`). */
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Bytes held now, each chunk once. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Whether holding `chunk` as well stays within the budget. A chunk already held costs nothing, and
   * with nothing held any one chunk is let through (a view larger than the budget is still served,
   * one reader at a time).
   */
  admits(chunk: Buffer): boolean {
    return this.#bytes === 0 || this.#holders.has(chunk) || this.#bytes + chunk.length <= this.#maxBytes;
  }

  /** Counts one more answer holding `chunk`. */
  hold(chunk: Buffer): void {
    const holders = this.#holders.get(chunk) ?? 0;
    if (holders === 0) this.#bytes += chunk.length;
    this.#holders.set(chunk, holders + 1);
  }

  /** Counts one answer fewer holding `chunk` (once per {@link hold}). */
  release(chunk: Buffer): void {
    const holders = this.#holders.get(chunk) ?? 0;
    if (holders > 1) this.#holders.set(chunk, holders - 1);
    else if (holders === 1) {
      this.#holders.delete(chunk);
      this.#bytes -= chunk.length;
    }
  }
}
