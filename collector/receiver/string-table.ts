/** Interning of the strings OTLP payloads repeat from span to span (attribute keys, names, values). */

const TABLE_SLOTS = 1024;
const MAX_INTERNED_BYTES = 64;
const HASHED_EDGE_BYTES = 8;

/**
 * A fixed-size table of recently decoded strings, keyed by a hash of their length and edge bytes
 * and checked byte by byte, so a hit is exact. Bounded: 1024 slots of at most 64 bytes; a hostile
 * payload only evicts entries.
 */
export class StringTable {
  readonly #hashes = new Int32Array(TABLE_SLOTS);
  readonly #bytes: (Buffer | undefined)[] = new Array<Buffer | undefined>(TABLE_SLOTS).fill(undefined);
  readonly #strings: string[] = new Array<string>(TABLE_SLOTS).fill('');

  /** The string of `buf[start, end)`, from the table when it holds the same bytes. */
  get(buf: Buffer, start: number, end: number): string {
    const length = end - start;
    if (length > MAX_INTERNED_BYTES) return buf.toString('utf8', start, end);
    const hash = sampledHash(buf, start, end);
    const slot = hash & (TABLE_SLOTS - 1);
    const cached = this.#bytes[slot];
    if (cached !== undefined && this.#hashes[slot] === hash && sameBytes(cached, buf, start, length)) {
      return this.#strings[slot]!;
    }
    const value = buf.toString('utf8', start, end);
    this.#hashes[slot] = hash;
    this.#bytes[slot] = Buffer.copyBytesFrom(buf, start, length);
    this.#strings[slot] = value;
    return value;
  }
}

/** FNV-1a over the length and at most the first 8 and last 8 bytes (the full compare follows). */
function sampledHash(buf: Buffer, start: number, end: number): number {
  let hash = Math.imul(0x811c9dc5 ^ (end - start), 0x01000193);
  const headEnd = Math.min(end, start + HASHED_EDGE_BYTES);
  for (let i = start; i < headEnd; i++) hash = Math.imul(hash ^ buf[i]!, 0x01000193);
  for (let i = Math.max(headEnd, end - HASHED_EDGE_BYTES); i < end; i++)
    hash = Math.imul(hash ^ buf[i]!, 0x01000193);
  return hash;
}

function sameBytes(cached: Buffer, buf: Buffer, start: number, length: number): boolean {
  if (cached.length !== length) return false;
  for (let i = 0; i < length; i++) if (cached[i] !== buf[start + i]) return false;
  return true;
}
