/**
 * A FIFO queue with a fixed capacity that drops its oldest item to make room, optionally keyed so
 * that a newer item replaces a queued one with the same key in place (the latest state of an
 * alert is all a receiver needs).
 */
export class BoundedQueue<T> {
  readonly #capacity: number;
  readonly #keyOf: ((item: T) => string) | undefined;
  // Map keeps insertion order: the first entry is the oldest; re-setting a key keeps its place.
  readonly #items = new Map<string | number, T>();
  #sequence = 0;

  /**
   * @param capacity items held at most (at least 1)
   * @param keyOf identity of an item; items without one never replace each other
   */
  constructor(capacity: number, keyOf?: (item: T) => string) {
    this.#capacity = Math.max(1, Math.floor(capacity));
    this.#keyOf = keyOf;
  }

  get size(): number {
    return this.#items.size;
  }

  /** Adds `item` at the tail (or in place of a queued one with its key); true when the oldest was dropped. */
  push(item: T): boolean {
    const key = this.#keyOf === undefined ? this.#sequence++ : this.#keyOf(item);
    if (this.#items.has(key)) {
      this.#items.set(key, item);
      return false;
    }
    let dropped = false;
    if (this.#items.size >= this.#capacity) {
      const oldest = this.#items.keys().next().value as string | number;
      this.#items.delete(oldest);
      dropped = true;
    }
    this.#items.set(key, item);
    return dropped;
  }

  /** Removes and returns up to `max` items from the head. */
  take(max: number): T[] {
    const taken: T[] = [];
    for (const [key, item] of this.#items) {
      if (taken.length >= max) break;
      taken.push(item);
      this.#items.delete(key);
    }
    return taken;
  }

  /** Empties the queue; returns how many items it held. */
  clear(): number {
    const count = this.#items.size;
    this.#items.clear();
    return count;
  }
}
