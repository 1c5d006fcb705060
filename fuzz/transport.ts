/**
 * What a case does to the HTTP envelope of a body: gzip, deflate or zstd, and gzip truncated,
 * corrupt, a bomb, twice, or claimed but absent, content encodings the receiver does not speak, wrong or odd content
 * types, and now and then a wrong method or path.
 */
import { deflateSync, gzipSync, zstdCompressSync } from 'node:zlib';
import type { Rng } from './rng.ts';

/** The envelope of a request. */
export interface Envelope {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly contentEncoding: string | undefined;
  /** The bytes sent. */
  readonly wire: Buffer;
  readonly name: string;
}

const GOOD_TYPES = {
  protobuf: ['application/x-protobuf', 'APPLICATION/X-PROTOBUF', 'application/x-protobuf; charset=utf-8'],
  json: ['application/json', 'application/json; charset=utf-8', ' Application/JSON '],
};
const BAD_TYPES = [
  undefined,
  '',
  'text/plain',
  'application/protobuf',
  'application/grpc',
  'application/x-www-form-urlencoded',
  'application/json, application/x-protobuf',
  'multipart/form-data; boundary=x',
  '*/*',
];
const BAD_ENCODINGS = ['br', 'snappy', 'lz4', 'compress', 'gzip, gzip', 'gzip;q=1', 'chunked', 'x'];

/** The codings of a valid compressed body, with their compressors. */
const CODINGS: ReadonlyArray<readonly [string, (body: Buffer) => Buffer]> = [
  ['gzip', gzipSync],
  ['x-gzip', gzipSync],
  ['GZIP', gzipSync],
  ['deflate', deflateSync],
  ['zlib', deflateSync],
  ['zstd', zstdCompressSync],
];

/** A 1 MiB run of zeros, gzipped: about 1 KiB. Gzip members concatenate into one stream. */
let zerosMember: Buffer | undefined;

/** A gzip bomb: `mebibytes` MiB of zeros in about a thousandth of the bytes. */
function gzipBomb(mebibytes: number): Buffer {
  zerosMember ??= gzipSync(Buffer.alloc(1 << 20), { level: 9 });
  return Buffer.concat(Array.from({ length: mebibytes }, () => zerosMember!));
}

/** Wraps `body` (of the given OTLP encoding, meant for `route`) in an envelope drawn at random. */
export function envelope(rng: Rng, body: Buffer, encoding: 'protobuf' | 'json', route: string): Envelope {
  const base = { method: 'POST', path: route, contentType: rng.pick(GOOD_TYPES[encoding]) };
  const roll = rng.float();
  if (roll < 0.55)
    return { ...base, contentEncoding: rng.pick([undefined, 'identity']), wire: body, name: 'plain' };
  if (roll < 0.75) {
    const [coding, compress] = rng.pick(CODINGS);
    return { ...base, contentEncoding: coding, wire: compress(body), name: 'compressed' };
  }
  if (roll < 0.8) {
    const zipped = gzipSync(body);
    return {
      ...base,
      contentEncoding: 'gzip',
      wire: zipped.subarray(0, rng.int(zipped.length)),
      name: 'gzip-truncated',
    };
  }
  if (roll < 0.83) {
    const zipped = Buffer.from(gzipSync(body));
    zipped[Math.max(0, zipped.length - 1 - rng.int(16))]! ^= 0x55;
    return { ...base, contentEncoding: 'gzip', wire: zipped, name: 'gzip-corrupt' };
  }
  if (roll < 0.86) {
    const bomb = gzipBomb(rng.pick([1, 2, 5, 64, 1024]));
    const wire = rng.chance(0.5) ? Buffer.concat([gzipSync(body), bomb]) : bomb;
    return { ...base, contentEncoding: 'gzip', wire, name: 'gzip-bomb' };
  }
  if (roll < 0.88)
    return { ...base, contentEncoding: 'gzip', wire: gzipSync(gzipSync(body)), name: 'gzip-twice' };
  if (roll < 0.9) return { ...base, contentEncoding: 'gzip', wire: body, name: 'gzip-claimed' };
  if (roll < 0.93)
    return { ...base, contentEncoding: rng.pick(BAD_ENCODINGS), wire: body, name: 'bad-encoding' };
  if (roll < 0.97)
    return {
      ...base,
      contentType: rng.pick(BAD_TYPES),
      contentEncoding: undefined,
      wire: body,
      name: 'bad-type',
    };
  if (roll < 0.985) {
    const other = encoding === 'json' ? 'protobuf' : 'json';
    return {
      ...base,
      contentType: GOOD_TYPES[other][0],
      contentEncoding: undefined,
      wire: body,
      name: 'other-type',
    };
  }
  if (roll < 0.993)
    return {
      ...base,
      method: rng.pick(['GET', 'PUT', 'DELETE']),
      contentEncoding: undefined,
      wire: body,
      name: 'bad-method',
    };
  const path = rng.pick(['/v1/logs', '/v1/traces/', '/V1/TRACES', '/', '/v1/traces/../metrics']);
  return { ...base, path, contentEncoding: undefined, wire: body, name: 'bad-path' };
}
