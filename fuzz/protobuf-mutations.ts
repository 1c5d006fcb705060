/**
 * Structure-aware mutations of a protobuf field tree: each picks a field anywhere in the tree and
 * breaks one rule of the wire format or pushes one value to an edge, so the message stays framed
 * well enough to reach the decoder's deeper paths.
 */

import { type PbField, serialize, WIRE } from './protobuf-tree.ts';
import type { Rng } from './rng.ts';

/** Byte sequences that are not UTF-8: stray continuation, truncated sequences, surrogates, > U+10FFFF. */
export const INVALID_UTF8: readonly (readonly number[])[] = [
  [0xff],
  [0x80],
  [0xc3],
  [0xe2, 0x82],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xc0, 0xaf],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
];

// AnyValue.array_value = 5 and ArrayValue.values = 1, both length-delimited: an array nested in itself.
const ARRAY_NEST_TAGS = [(5 << 3) | WIRE.bytes, (1 << 3) | WIRE.bytes];
const LYING_LENGTHS = [
  0n,
  1n,
  2n ** 31n - 1n,
  2n ** 31n,
  2n ** 32n - 1n,
  2n ** 32n,
  2n ** 53n,
  2n ** 63n,
  2n ** 64n - 1n,
];
const EDGE_VARINTS = [-1n, -(2n ** 63n), 2n ** 63n, 2n ** 64n - 1n, 2n ** 70n, 2n ** 32n, 2n ** 31n];
/** Most bytes the copies of one repeated field add up to (a few times the fuzz body limit). */
const MAX_REPEATED_BYTES = 4 << 20;
const EDGE_FIELD_NUMBERS = [0, 1, 2, 15, 16, 19000, 2 ** 29 - 1, 2 ** 29, 2 ** 32];

/** Every field of the tree with the list that holds it, depth first. */
function collect(fields: PbField[], into: { list: PbField[]; index: number }[] = []) {
  fields.forEach((field, index) => {
    into.push({ list: fields, index });
    if (field.value.type === 'message') collect(field.value.fields, into);
  });
  return into;
}

type Mutation = (rng: Rng, field: PbField, list: PbField[], index: number) => string;

const MUTATIONS: readonly Mutation[] = [
  (rng, field) => {
    field.wire = rng.pick([0, 1, 2, 3, 4, 5, 6, 7].filter((w) => w !== field.wire));
    return `wire-type-${field.wire}`;
  },
  (rng, field) => {
    field.value = {
      type: 'varint',
      value: rng.pick(EDGE_VARINTS),
      padding: rng.chance(0.3) ? rng.int(12) : 0,
    };
    return 'edge-varint';
  },
  (rng, field) => {
    if (field.value.type === 'varint' || field.value.type === 'raw')
      field.value = { type: 'bytes', value: rng.bytes(4) };
    field.wire = WIRE.bytes;
    field.declaredLength = rng.pick(LYING_LENGTHS);
    return 'lying-length';
  },
  (_rng, _field, list, index) => {
    list.splice(index, 1);
    return 'drop-field';
  },
  (rng, field, list, index) => {
    // At most about MAX_REPEATED_BYTES in all: a huge field repeated would make a body of gigabytes.
    const most = Math.max(1, Math.floor(MAX_REPEATED_BYTES / serialize([field]).length));
    const copies = Math.min(most, rng.size(rng.chance(0.1) ? 50_000 : 8));
    list.splice(index, 0, ...Array.from({ length: copies }, () => field));
    return `repeat-field-${copies}`;
  },
  (rng, field) => {
    field.no = rng.pick(EDGE_FIELD_NUMBERS);
    return `field-number-${field.no}`;
  },
  (rng, field) => {
    const good = Buffer.from(rng.pick(['checkout', 'routine', 'service.name', '']));
    const bad = Buffer.from(rng.pick(INVALID_UTF8));
    const at = rng.int(good.length + 1);
    field.value = { type: 'bytes', value: Buffer.concat([good.subarray(0, at), bad, good.subarray(at)]) };
    field.wire = WIRE.bytes;
    return 'invalid-utf8';
  },
  (rng, field) => {
    const depth = rng.size(rng.chance(0.2) ? 200_000 : 2000);
    field.value = { type: 'nest', tags: ARRAY_NEST_TAGS, depth, inner: new Uint8Array(0) };
    field.wire = WIRE.bytes;
    return `deep-nesting-${depth}`;
  },
  (rng, field) => {
    field.value = { type: 'raw', value: rng.bytes(rng.size(64)) };
    return 'garbage-payload';
  },
  (rng, field) => {
    field.value = { type: 'bytes', value: Buffer.alloc(rng.size(2 << 20), rng.pick([0x78, 0x00, 0xff])) };
    field.wire = WIRE.bytes;
    return 'huge-bytes';
  },
];

/** Applies 1 to 3 mutations at random places; returns their names. Empty trees are left alone. */
export function mutateTree(rng: Rng, fields: PbField[]): string[] {
  const applied: string[] = [];
  const count = rng.between(1, 3);
  for (let i = 0; i < count; i++) {
    const all = collect(fields);
    if (all.length === 0) break;
    const { list, index } = rng.pick(all);
    const field = list[index]!;
    // A shallow copy: repeated fields share their object, and a mutation must only hit one place.
    const own: PbField = { ...field };
    list[index] = own;
    applied.push(rng.pick(MUTATIONS)(rng, own, list, index));
    // Copies share their subtree: a later mutation inside one would multiply through all of them.
    if (applied.at(-1)!.startsWith('repeat-field')) break;
  }
  return applied;
}
