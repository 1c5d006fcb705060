/**
 * The waiting entries of a delivery queue: FIFO, optionally keyed so that a newer entry replaces a
 * waiting one with the same key in place (the latest state of an alert is all a receiver needs),
 * with running totals of the items and bytes they hold. Capacity is the caller's business.
 */

/** One offered item and its size. */
export interface Entry<T> {
  readonly item: T;
  readonly items: number;
  readonly bytes: number;
}

export class EntryQueue<T> {
  readonly #keyOf: ((item: T) => string) | undefined;
  // Map keeps insertion order: the first entry is the oldest; re-setting a key keeps its place.
  readonly #entries = new Map<string | number, Entry<T>>();
  #sequence = 0;
  #items = 0;
  #bytes = 0;

  /** @param keyOf identity of an item; entries without one never replace each other */
  constructor(keyOf?: (item: T) => string) {
    this.#keyOf = keyOf;
  }

  /** Items waiting. */
  get items(): number {
    return this.#items;
  }

  /** Bytes waiting. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The entry `entry` would replace, if any. */
  replaced(entry: Entry<T>): Entry<T> | undefined {
    return this.#keyOf === undefined ? undefined : this.#entries.get(this.#keyOf(entry.item));
  }

  /** Adds `entry` at the tail, or in place of a waiting one with its key. */
  push(entry: Entry<T>): void {
    const key = this.#keyOf === undefined ? this.#sequence++ : this.#keyOf(entry.item);
    const previous = this.#entries.get(key);
    if (previous !== undefined) this.#count(previous, -1);
    this.#entries.set(key, entry);
    this.#count(entry, 1);
  }

  /** Removes the oldest entry; `undefined` when empty. */
  shift(): Entry<T> | undefined {
    for (const [key, entry] of this.#entries) {
      this.#entries.delete(key);
      this.#count(entry, -1);
      return entry;
    }
    return undefined;
  }

  /** Removes entries from the head up to `maxItems` items (at least one entry when not empty). */
  take(maxItems: number): Entry<T>[] {
    const taken: Entry<T>[] = [];
    let items = 0;
    for (const [key, entry] of this.#entries) {
      if (taken.length > 0 && items + entry.items > maxItems) break;
      taken.push(entry);
      items += entry.items;
      this.#entries.delete(key);
      this.#count(entry, -1);
    }
    return taken;
  }

  /** Empties the queue; returns how many items it held. */
  clear(): number {
    const items = this.#items;
    this.#entries.clear();
    this.#items = 0;
    this.#bytes = 0;
    return items;
  }

  #count(entry: Entry<T>, sign: 1 | -1): void {
    this.#items += sign * entry.items;
    this.#bytes += sign * entry.bytes;
  }
}
