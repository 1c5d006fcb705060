/**
 * A minimal protobuf wire-format reader for the hand-written OTLP decoders. Every read is checked
 * against the end of the enclosing message, so a malformed or hostile payload ends in a
 * {@link MalformedPayload} (caught by the decoder) and never in an out-of-bounds read.
 */
import type { StringTable } from './string-table.ts';

/** Wire types (the low 3 bits of a tag). */
const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/** Thrown inside the decoders when the bytes are not a valid message; never escapes them. */
export class MalformedPayload extends Error {}

const TWO_POW_32 = 4294967296;
const MAX_VARINT_BYTES = 10;

/**
 * Unix nanoseconds given as two unsigned 32-bit words, as ms since the epoch. 2^32 ns is split
 * into 4294 ms + 967296 ns so whole milliseconds come out exact; otherwise the result is rounded
 * once or twice, to about 0.25 µs at today's dates (sub-µs precision is lost).
 */
export function unixNanosToMs(high: number, low: number): number {
  return high * 4294 + (high * 967296 + low) / 1e6;
}

export class WireReader {
  readonly #buf: Buffer;
  #pos = 0;

  constructor(bytes: Uint8Array) {
    this.#buf = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Length of the whole buffer, bytes: the end of the top-level message. */
  get length(): number {
    return this.#buf.length;
  }

  /** Current offset, bytes. */
  get pos(): number {
    return this.#pos;
  }

  /** Reads a tag (`field << 3 | wireType`); a zero field number is malformed. */
  tag(end: number): number {
    const tag = this.uint32(end);
    if (tag >>> 3 === 0) throw new MalformedPayload(`invalid field number 0 at byte ${this.#pos}`);
    return tag;
  }

  /** Reads a varint and keeps its low 32 bits, unsigned (enums, counts, lengths, tags). */
  uint32(end: number): number {
    const buf = this.#buf;
    let byte = this.#byte(end);
    if (byte < 0x80) return byte;
    let result = byte & 0x7f;
    let shift = 7;
    for (let count = 1; ; count++) {
      if (count === MAX_VARINT_BYTES) throw new MalformedPayload(`varint too long at byte ${this.#pos}`);
      byte = this.#pos < end ? buf[this.#pos++]! : this.#truncated();
      if (shift < 32) result |= (byte & 0x7f) << shift;
      shift += 7;
      if (byte < 0x80) return result >>> 0;
    }
  }

  /** Reads an int64 varint as a number (two's complement; precision lost beyond 2^53). */
  int64(end: number): number {
    let low = 0;
    let high = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      const byte = this.#byte(end);
      const bits = byte & 0x7f;
      if (shift < 28) low |= bits << shift;
      else if (shift === 28) {
        low |= bits << 28;
        high |= bits >>> 4;
      } else high |= bits << (shift - 32);
      if (byte < 0x80) return high * TWO_POW_32 + (low >>> 0);
    }
    throw new MalformedPayload(`varint too long at byte ${this.#pos}`);
  }

  /** Reads a fixed64 of unix nanoseconds as ms since the epoch (sub-µs precision lost). */
  fixed64Ms(end: number): number {
    const at = this.#advance(8, end);
    return unixNanosToMs(this.#buf.readUInt32LE(at + 4), this.#buf.readUInt32LE(at));
  }

  /** Reads a little-endian double. */
  double(end: number): number {
    return this.#buf.readDoubleLE(this.#advance(8, end));
  }

  /** Reads the length of a length-delimited field and returns where it ends. */
  end(end: number): number {
    const length = this.uint32(end);
    const fieldEnd = this.#pos + length;
    if (fieldEnd > end) throw new MalformedPayload(`length ${length} runs past the end at byte ${this.#pos}`);
    return fieldEnd;
  }

  /** Reads a length-delimited UTF-8 string. */
  string(end: number): string {
    const fieldEnd = this.end(end);
    const start = this.#pos;
    this.#pos = fieldEnd;
    return start === fieldEnd ? '' : this.#buf.toString('utf8', start, fieldEnd);
  }

  /**
   * Reads a length-delimited UTF-8 string that is likely to repeat (attribute keys, service names,
   * short values) through {@link StringTable}: most calls skip the UTF-8 decoding.
   */
  internedString(end: number, table: StringTable): string {
    const fieldEnd = this.end(end);
    const start = this.#pos;
    this.#pos = fieldEnd;
    return start === fieldEnd ? '' : table.get(this.#buf, start, fieldEnd);
  }

  /** Reads a length-delimited id; true when it has `size` bytes, not all zero. */
  validId(end: number, size: number): boolean {
    const fieldEnd = this.end(end);
    const start = this.#pos;
    this.#pos = fieldEnd;
    if (fieldEnd - start !== size) return false;
    for (let i = start; i < fieldEnd; i++) if (this.#buf[i] !== 0) return true;
    return false;
  }

  /** Skips the value of a field of the given wire type (groups are malformed: OTLP has none). */
  skip(wireType: number, end: number): void {
    if (wireType === VARINT) this.int64(end);
    else if (wireType === FIXED64) this.#advance(8, end);
    else if (wireType === LENGTH_DELIMITED) this.#pos = this.end(end);
    else if (wireType === FIXED32) this.#advance(4, end);
    else throw new MalformedPayload(`unsupported wire type ${wireType} at byte ${this.#pos}`);
  }

  /** Throws unless the reader stopped exactly at `end`. */
  expectEnd(end: number): void {
    if (this.#pos !== end) throw new MalformedPayload(`message overruns its length at byte ${this.#pos}`);
  }

  #byte(end: number): number {
    return this.#pos < end ? this.#buf[this.#pos++]! : this.#truncated();
  }

  #advance(count: number, end: number): number {
    const at = this.#pos;
    if (at + count > end) this.#truncated();
    this.#pos = at + count;
    return at;
  }

  #truncated(): never {
    throw new MalformedPayload(`truncated message at byte ${this.#pos}`);
  }
}
