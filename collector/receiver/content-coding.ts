/**
 * The request body compressions the receiver accepts, named as the OpenTelemetry Collector's HTTP
 * receiver names them: `gzip` (also `x-gzip`), `zstd`, and `deflate` (also `zlib`), which is the
 * zlib format (RFC 1950) as HTTP's `deflate` coding and the Collector define it, not raw DEFLATE.
 */
import { constants, createGunzip, createInflate, createZstdDecompress } from 'node:zlib';
import { ZstdFrames } from './zstd-frames.ts';

/** A streaming decompressor: emits `data` (decompressed chunks), then `end`, or `error`. */
export interface Decompressor {
  write(chunk: Buffer): void;
  end(): void;
  destroy(): void;
  on(event: 'data', listener: (chunk: Buffer) => void): this;
  on(event: 'end', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  /** Compressed bytes consumed so far. */
  readonly bytesWritten: number;
}

/** How a request body is compressed. */
export type Compression = 'none' | 'gzip' | 'deflate' | 'zstd';

const CODINGS: ReadonlyMap<string, Compression> = new Map([
  ['', 'none'],
  ['identity', 'none'],
  ['gzip', 'gzip'],
  ['x-gzip', 'gzip'],
  ['deflate', 'deflate'],
  ['zlib', 'deflate'],
  ['zstd', 'zstd'],
]);

/** The codings named in a 415 answer. */
export const ACCEPTED_CODINGS = 'gzip, zstd, deflate or none';

/**
 * The compression a `Content-Encoding` names (case-insensitive, surrounding blanks ignored);
 * `undefined` for any other coding, or for a list of codings.
 */
export function compressionOf(contentEncoding: string | undefined): Compression | undefined {
  return CODINGS.get((contentEncoding ?? '').trim().toLowerCase());
}

/**
 * Largest compressed body that a body of `maxBodyBytes` can turn into, whatever the coding: zstd's
 * `ZSTD_COMPRESSBOUND` (the largest of the three: 1/256 of overhead for incompressible data; gzip's
 * and zlib's stored blocks cost about 1/3000), plus 1 KiB for headers (a gzip file name, say). This
 * is the limit on the bytes read of a compressed body.
 */
export function maxCompressedBytes(maxBodyBytes: number): number {
  return maxBodyBytes + (maxBodyBytes >>> 8) + 1024;
}

/** The zstd window a sender may use: 8 MiB (the reference encoders' default), or the body limit if larger, up to 128 MiB. */
function zstdWindowLog(maxBodyBytes: number): number {
  return Math.min(27, Math.max(23, Math.ceil(Math.log2(Math.max(1, maxBodyBytes)))));
}

/**
 * A streaming decompressor for `compression` (not `none`). zstd reads every frame of the body, each
 * with a bounded window (see {@link zstdWindowLog}) so that a frame cannot make the decoder reserve
 * more memory than that: such a frame fails like a corrupt one. deflate reads one zlib stream.
 * @param maxBodyBytes largest body after decompression, bytes
 */
export function createDecompressor(
  compression: Exclude<Compression, 'none'>,
  maxBodyBytes: number,
): Decompressor {
  if (compression === 'gzip') return createGunzip();
  if (compression === 'deflate') return createInflate();
  const params = { [constants.ZSTD_d_windowLogMax]: zstdWindowLog(maxBodyBytes) };
  return new ZstdFrames(() => createZstdDecompress({ params }));
}
