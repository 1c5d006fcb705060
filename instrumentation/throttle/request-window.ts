/**
 * Counts of requests and accepts over a sliding window, in a fixed ring of buckets: memory is the
 * same whatever the traffic, and counting or reading costs O(1) (the SRE book's adaptive
 * throttling keeps these two numbers "for the last two minutes of its history").
 */

/** Buckets of a window: 1 s each for the default two minutes. */
const BUCKETS = 120;

/** What a {@link RequestWindow} holds now. */
export interface WindowCounts {
  /** Calls attempted in the window, those rejected locally included. */
  readonly requests: number;
  /** Calls the backend accepted in the window. */
  readonly accepts: number;
}

/**
 * Requests and accepts of the last `windowMs`, in {@link BUCKETS} buckets of `windowMs / 120`:
 * a count leaves the window between `windowMs - bucket` and `windowMs` after it was added (the
 * whole bucket leaves at once). Time that steps back counts into the newest bucket.
 */
export class RequestWindow {
  readonly #bucketMs: number;
  readonly #requests = new Float64Array(BUCKETS);
  readonly #accepts = new Float64Array(BUCKETS);
  /** Index (time / bucketMs) of the newest bucket counted into; -Infinity before the first count. */
  #head = Number.NEGATIVE_INFINITY;
  #totalRequests = 0;
  #totalAccepts = 0;

  /** @param windowMs length of the window, ms (positive; the config schema bounds it) */
  constructor(windowMs: number) {
    this.#bucketMs = windowMs / BUCKETS;
  }

  /**
   * Counts one attempted call at `nowMs`.
   * @returns the bucket it was counted in, for {@link removeRequest}
   */
  addRequest(nowMs: number): number {
    const slot = this.#advance(nowMs);
    this.#requests[slot] = (this.#requests[slot] as number) + 1;
    this.#totalRequests++;
    return this.#head;
  }

  /**
   * Takes back one request {@link addRequest} counted in `bucket` (a call its caller aborted);
   * nothing once that bucket has left the window.
   */
  removeRequest(bucket: number): void {
    if (bucket <= this.#head - BUCKETS) return;
    const slot = slotOf(bucket);
    const count = this.#requests[slot] as number;
    if (count <= 0) return;
    this.#requests[slot] = count - 1;
    this.#totalRequests--;
  }

  /** Counts one call the backend accepted at `nowMs`. */
  addAccept(nowMs: number): void {
    const slot = this.#advance(nowMs);
    this.#accepts[slot] = (this.#accepts[slot] as number) + 1;
    this.#totalAccepts++;
  }

  /** Requests and accepts of the window ending at `nowMs`. */
  counts(nowMs: number): WindowCounts {
    this.#advance(nowMs);
    return { requests: this.#totalRequests, accepts: this.#totalAccepts };
  }

  /** Moves the head to `nowMs`, emptying the buckets that left the window; the head's slot. */
  #advance(nowMs: number): number {
    const index = Math.floor(nowMs / this.#bucketMs);
    if (index > this.#head) {
      // Every bucket between the old head and the new one is stale: at most all of them.
      const from = Math.max(this.#head + 1, index - BUCKETS + 1);
      for (let i = from; i <= index; i++) this.#clear(slotOf(i));
      this.#head = index;
    }
    return slotOf(this.#head);
  }

  #clear(slot: number): void {
    this.#totalRequests -= this.#requests[slot] as number;
    this.#totalAccepts -= this.#accepts[slot] as number;
    this.#requests[slot] = 0;
    this.#accepts[slot] = 0;
  }
}

function slotOf(index: number): number {
  return ((index % BUCKETS) + BUCKETS) % BUCKETS;
}
