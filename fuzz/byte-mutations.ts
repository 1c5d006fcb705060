/**
 * Mutations that know nothing of the format: truncation, bit flips, runs of 0xff (endless
 * varints), inserted noise, duplicated chunks, garbage around the body, or noise alone.
 */
import type { Rng } from './rng.ts';

type Mutation = (rng: Rng, bytes: Buffer) => Buffer;

const MUTATIONS: Readonly<Record<string, Mutation>> = {
  truncate: (rng, bytes) => bytes.subarray(0, rng.int(bytes.length)),
  'bit-flips': (rng, bytes) => {
    const out = Buffer.from(bytes);
    for (let i = rng.between(1, 8); i > 0 && out.length > 0; i--)
      out[rng.int(out.length)]! ^= 1 << rng.int(8);
    return out;
  },
  'ff-run': (rng, bytes) => splice(rng, bytes, Buffer.alloc(rng.between(1, 16), 0xff)),
  noise: (rng, bytes) => splice(rng, bytes, rng.bytes(rng.size(64))),
  'duplicate-chunk': (rng, bytes) => {
    const from = rng.int(bytes.length + 1);
    return splice(rng, bytes, bytes.subarray(from, from + rng.size(bytes.length)));
  },
  'trailing-garbage': (rng, bytes) => Buffer.concat([bytes, rng.bytes(rng.between(1, 32))]),
  bom: (_rng, bytes) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]),
  'only-noise': (rng) => rng.bytes(rng.size(4096)),
  empty: () => Buffer.alloc(0),
};
const NAMES = Object.keys(MUTATIONS);

function splice(rng: Rng, bytes: Buffer, insert: Buffer): Buffer {
  const at = rng.int(bytes.length + 1);
  return Buffer.concat([bytes.subarray(0, at), insert, bytes.subarray(at)]);
}

/** Applies one mutation; returns the bytes and its name. */
export function mutateBytes(rng: Rng, bytes: Buffer): { body: Buffer; name: string } {
  const name = rng.pick(NAMES);
  return { body: MUTATIONS[name]!(rng, bytes), name };
}
