/**
 * Protobuf messages as a mutable tree of fields, written without any schema check: a field's wire
 * type in its tag is independent of how its payload is written, so the tree can hold what no
 * protobuf library would write (wrong wire types, over-long or negative varints, lengths that lie,
 * field number 0, groups, nesting tens of thousands deep) and still be serialized in linear time.
 */

/** Wire types: the low 3 bits of a tag. 3 and 4 (groups), 6 and 7 (undefined) are never valid in OTLP. */
export const WIRE = Object.freeze({
  varint: 0,
  fixed64: 1,
  bytes: 2,
  startGroup: 3,
  endGroup: 4,
  fixed32: 5,
});

/** A payload, written after the tag as its `type` says (whatever the tag's wire type claims). */
export type PbValue =
  /** Two's complement in 64 bits when negative (10 bytes); values from 2^64 up run past 10 bytes. */
  | { type: 'varint'; value: bigint; padding?: number }
  /** Raw bytes, no length prefix (fixed64, fixed32, or garbage). */
  | { type: 'raw'; value: Uint8Array }
  /** A length prefix, then the bytes. */
  | { type: 'bytes'; value: Uint8Array }
  /** A length prefix, then the fields. */
  | { type: 'message'; fields: PbField[] }
  /** `depth` length-delimited wrappers, tags cycling through `tags`, around `inner` (no recursion). */
  | { type: 'nest'; tags: readonly number[]; depth: number; inner: Uint8Array };

/** One field. `declaredLength` replaces the true length prefix of a length-delimited payload. */
export interface PbField {
  no: number;
  wire: number;
  value: PbValue;
  declaredLength?: bigint;
}

const MASK_64 = (1n << 64n) - 1n;

/** Bytes of the varint of `value` (negative: 64-bit two's complement) with `padding` extra bytes. */
function varintLength(value: bigint, padding = 0): number {
  let rest = value < 0n ? value & MASK_64 : value;
  let length = 1 + padding;
  rest >>= 7n * BigInt(padding);
  while (rest >= 0x80n) {
    length++;
    rest >>= 7n;
  }
  return length;
}

/** Writes the varint of `value` at `at`; returns the offset after it. */
function writeVarint(out: Buffer, at: number, value: bigint, padding = 0): number {
  let rest = value < 0n ? value & MASK_64 : value;
  let pos = at;
  for (let i = 0; i < padding; i++) {
    out[pos++] = Number(rest & 0x7fn) | 0x80;
    rest >>= 7n;
  }
  if (rest < 0x80000000n) {
    let small = Number(rest);
    while (small >= 0x80) {
      out[pos++] = (small & 0x7f) | 0x80;
      small >>>= 7;
    }
    out[pos++] = small;
    return pos;
  }
  while (rest >= 0x80n) {
    out[pos++] = Number(rest & 0x7fn) | 0x80;
    rest >>= 7n;
  }
  out[pos++] = Number(rest);
  return pos;
}

function tagOf(field: PbField): bigint {
  return (BigInt(field.no) << 3n) | BigInt(field.wire & 7);
}

/**
 * Sizes of message bodies, by field list: repeated copies share their list, so each is sized once.
 * Lists are never mutated between sizing and writing.
 */
type Sizes = Map<readonly PbField[], number>;

function listSize(fields: readonly PbField[], sizes: Sizes): number {
  let size = sizes.get(fields);
  if (size !== undefined) return size;
  size = 0;
  for (const field of fields) size += fieldSize(field, sizes);
  sizes.set(fields, size);
  return size;
}

function payloadSize(value: PbValue, sizes: Sizes): number {
  if (value.type === 'bytes' || value.type === 'raw') return value.value.length;
  if (value.type === 'message') return listSize(value.fields, sizes);
  if (value.type === 'nest') return nestLengths(value)[value.depth]!;
  return varintLength(value.value, value.padding);
}

function fieldSize(field: PbField, sizes: Sizes): number {
  const payload = payloadSize(field.value, sizes);
  const type = field.value.type;
  const prefixed = type === 'bytes' || type === 'message' || type === 'nest';
  const prefix = prefixed ? varintLength(field.declaredLength ?? BigInt(payload)) : 0;
  return varintLength(tagOf(field)) + prefix + payload;
}

/** Serializes fields into the bytes of a message body (one buffer, sized first). */
export function serialize(fields: readonly PbField[]): Buffer {
  const sizes: Sizes = new Map();
  const out = Buffer.allocUnsafe(listSize(fields, sizes));
  const end = writeList(out, 0, fields, sizes);
  return out.subarray(0, end);
}

function writeList(out: Buffer, at: number, fields: readonly PbField[], sizes: Sizes): number {
  let pos = at;
  for (const field of fields) pos = writeField(out, pos, field, sizes);
  return pos;
}

function writeField(out: Buffer, at: number, field: PbField, sizes: Sizes): number {
  let pos = writeVarint(out, at, tagOf(field));
  const { value } = field;
  if (value.type === 'varint') return writeVarint(out, pos, value.value, value.padding);
  if (value.type !== 'raw')
    pos = writeVarint(out, pos, field.declaredLength ?? BigInt(payloadSize(value, sizes)));
  if (value.type === 'bytes' || value.type === 'raw') {
    out.set(value.value, pos);
    return pos + value.value.length;
  }
  if (value.type === 'message') return writeList(out, pos, value.fields, sizes);
  return writeNest(out, pos, value);
}

/** Lengths of a nest's wrappers, inside-out: `[inner, 1 wrapper, ..., depth wrappers]`. */
function nestLengths(value: Extract<PbValue, { type: 'nest' }>): number[] {
  const lengths = new Array<number>(value.depth + 1);
  lengths[0] = value.inner.length;
  for (let level = 1; level <= value.depth; level++) {
    const tag = value.tags[(value.depth - level) % value.tags.length]!;
    const below = lengths[level - 1]!;
    lengths[level] = below + varintLength(BigInt(tag)) + varintLength(BigInt(below));
  }
  return lengths;
}

/** `depth` wrappers around `inner`, written outside-in (no recursion, linear time). */
function writeNest(out: Buffer, at: number, value: Extract<PbValue, { type: 'nest' }>): number {
  const lengths = nestLengths(value);
  let pos = at;
  for (let level = value.depth; level >= 1; level--) {
    pos = writeVarint(out, pos, BigInt(value.tags[(value.depth - level) % value.tags.length]!));
    pos = writeVarint(out, pos, BigInt(lengths[level - 1]!));
  }
  out.set(value.inner, pos);
  return pos + value.inner.length;
}

/** Field builders for the OTLP encoders. */
export const pb = {
  message: (no: number, fields: PbField[]): PbField => ({
    no,
    wire: WIRE.bytes,
    value: { type: 'message', fields },
  }),
  bytes: (no: number, value: Uint8Array): PbField => ({
    no,
    wire: WIRE.bytes,
    value: { type: 'bytes', value },
  }),
  string: (no: number, value: string): PbField => pb.bytes(no, Buffer.from(value, 'utf8')),
  varint: (no: number, value: bigint | number | boolean): PbField => ({
    no,
    wire: WIRE.varint,
    value: { type: 'varint', value: BigInt(value) },
  }),
  fixed64: (no: number, value: bigint): PbField => {
    const raw = Buffer.alloc(8);
    raw.writeBigUInt64LE(BigInt.asUintN(64, value));
    return { no, wire: WIRE.fixed64, value: { type: 'raw', value: raw } };
  },
  double: (no: number, value: number): PbField => {
    const raw = Buffer.alloc(8);
    raw.writeDoubleLE(value);
    return { no, wire: WIRE.fixed64, value: { type: 'raw', value: raw } };
  },
};
