/**
 * Structure-aware mutations of an OTLP JSON request: each picks a value anywhere in the tree and
 * gives it the wrong type, a number where a string belongs (and back), a bad hex id, an edge time,
 * a huge string, thousands of entries, deep nesting, raw tokens JSON.stringify cannot write
 * (1e400, -0, NaN, duplicate keys) or bytes that are not UTF-8.
 */
import type { Json } from './otlp-json.ts';
import { INVALID_UTF8 } from './protobuf-mutations.ts';
import type { Rng } from './rng.ts';

type Slot = { owner: Json[] | { [key: string]: Json }; key: string | number };

/** Raw bytes to splice in where a placeholder string was serialized. */
class RawTokens {
  readonly #raws: Buffer[] = [];

  placeholder(raw: string | Buffer): string {
    this.#raws.push(Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8'));
    return `\u0001RAW${this.#raws.length - 1}\u0001`;
  }

  /** `JSON.stringify(value)` with every placeholder replaced by its raw bytes. */
  serialize(value: Json): Buffer {
    const text = JSON.stringify(value);
    if (this.#raws.length === 0) return Buffer.from(text, 'utf8');
    const parts: Buffer[] = [];
    let last = 0;
    for (const match of text.matchAll(/"\\u0001RAW(\d+)\\u0001"/g)) {
      parts.push(Buffer.from(text.slice(last, match.index), 'utf8'), this.#raws[Number(match[1])]!);
      last = match.index + match[0].length;
    }
    parts.push(Buffer.from(text.slice(last), 'utf8'));
    return Buffer.concat(parts);
  }
}

/** Every slot (object member or array element) of the tree, depth first. */
function collect(value: Json, into: Slot[] = []): Slot[] {
  if (value === null || typeof value !== 'object') return into;
  for (const key of Array.isArray(value) ? value.keys() : Object.keys(value)) {
    const slot: Slot = { owner: value, key };
    into.push(slot);
    collect(get(slot), into);
  }
  return into;
}

const WRONG_TYPES: readonly Json[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  '',
  'x',
  [],
  {},
  [[]],
  [{}],
  { '': null },
];
const HEX_IDS = [
  '',
  '0',
  'zz'.repeat(8),
  '00'.repeat(16),
  'AB'.repeat(16),
  'ab'.repeat(17),
  'ab'.repeat(8),
  'AQIDBA==',
  `0x${'ab'.repeat(15)}`,
  `${'ab'.repeat(15)}\u0000`,
];
const TIMES: readonly Json[] = [
  '-1',
  '1e18',
  '18446744073709551615',
  '18446744073709551616',
  '0x10',
  ' 1',
  '1.5',
  '',
  1.5,
  -1,
  2 ** 64,
  1e308,
  '99999999999999999999999',
];
const RAW_NUMBERS = [
  '1e400',
  '-1e400',
  '-0',
  'NaN',
  'Infinity',
  '0.1e-400',
  '00',
  '1.',
  '.5',
  '+1',
  '123456789012345678901234567890',
];

type Mutation = (rng: Rng, slot: Slot, raws: RawTokens) => string;

const MUTATIONS: readonly Mutation[] = [
  // A copy: a later mutation inside it must not change the shared constant for later cases.
  (rng, slot) => set(slot, structuredClone(rng.pick(WRONG_TYPES)), 'wrong-type'),
  (rng, slot) => {
    const value = get(slot);
    if (typeof value === 'number') return set(slot, String(value), 'number-as-string');
    if (typeof value === 'string' && value !== '' && !Number.isNaN(Number(value)))
      return set(slot, Number(value), 'string-as-number');
    return set(slot, rng.pick([String(rng.int(100)), rng.int(100)]), 'number-string-swap');
  },
  (rng, slot) => set(slot, rng.pick(HEX_IDS), 'bad-hex-id'),
  (rng, slot) => set(slot, rng.pick(TIMES), 'edge-time'),
  (rng, slot, raws) => set(slot, raws.placeholder(rng.pick(RAW_NUMBERS)), 'raw-number'),
  (rng, slot) => set(slot, 'y'.repeat(rng.size(2 << 20)), 'huge-string'),
  (rng, slot) => {
    const count = rng.size(100_000);
    const item = rng.pick<Json>([{ key: 'k', value: { intValue: '1' } }, {}, 0, { key: 'k' }]);
    return set(
      slot,
      Array.from({ length: count }, () => item),
      `many-entries-${count}`,
    );
  },
  (rng, slot, raws) => {
    const depth = rng.size(rng.chance(0.2) ? 200_000 : 2000);
    const [open, close] = rng.pick([
      ['{"arrayValue":{"values":[', ']}}'],
      ['[', ']'],
      ['{"a":', '}'],
    ]);
    return set(slot, raws.placeholder(open!.repeat(depth) + close!.repeat(depth)), `deep-nesting-${depth}`);
  },
  (rng, slot, raws) => {
    const bad = Buffer.from(rng.pick(INVALID_UTF8));
    return set(
      slot,
      raws.placeholder(Buffer.concat([Buffer.from('"ro'), bad, Buffer.from('utine"')])),
      'invalid-utf8',
    );
  },
  (rng, slot, raws) => {
    const surrogate = rng.pick(['"\\ud800"', '"\\udfff x"', '"\\u0000"', '"\\uZZZZ"', '"\\x41"']);
    return set(slot, raws.placeholder(surrogate), 'bad-escape');
  },
  (rng, slot, raws) => {
    if (typeof slot.key !== 'string') return set(slot, null, 'null');
    const duplicate = `${JSON.stringify(get(slot))},${JSON.stringify(slot.key)}:${JSON.stringify(rng.pick(WRONG_TYPES))}`;
    return set(slot, raws.placeholder(duplicate), 'duplicate-key');
  },
  (_rng, slot) => {
    if (Array.isArray(slot.owner)) slot.owner.splice(Number(slot.key), 1);
    else delete slot.owner[slot.key];
    return 'drop-value';
  },
];

function get(slot: Slot): Json {
  return (slot.owner as Record<string | number, Json>)[slot.key]!;
}

function set(slot: Slot, value: Json, name: string): string {
  (slot.owner as Record<string | number, Json>)[slot.key] = value;
  return name;
}

/** Applies 1 to 3 mutations at random places and serializes; returns the body and their names. */
export function mutateJson(rng: Rng, request: Json): { body: Buffer; applied: string[] } {
  const raws = new RawTokens();
  const applied: string[] = [];
  const count = rng.between(1, 3);
  for (let i = 0; i < count; i++) {
    const slots = collect(request);
    if (slots.length === 0) break;
    applied.push(rng.pick(MUTATIONS)(rng, rng.pick(slots), raws));
    // The entries share one object: a later mutation inside it would multiply through all of them.
    if (applied.at(-1)!.startsWith('many-entries')) break;
  }
  return { body: raws.serialize(request), applied };
}

/** Serializes without mutating (still through the placeholder-aware writer). */
export function writeJson(request: Json): Buffer {
  return new RawTokens().serialize(request);
}
