/**
 * Reads a request body under a size limit that holds while the bytes stream in and after
 * decompression (gzip, deflate or zstd): decompression runs chunk by chunk as the compressed bytes
 * arrive and stops as soon as the output passes the limit, so a decompression bomb costs at most
 * the limit plus one output chunk (16 KiB).
 * Each chunk kept is first counted against the admission budget, and the body must arrive within
 * its deadlines (total time and minimum rate).
 */
import type { IncomingMessage } from 'node:http';
import { BodyDeadline, type BodyDeadlineOptions } from './body-deadline.ts';
import {
  type Compression,
  createDecompressor,
  type Decompressor,
  maxCompressedBytes,
} from './content-coding.ts';

/** Options of {@link readBody}. */
export interface ReadBodyOptions {
  /** Largest body, bytes, after decompression. */
  readonly maxBodyBytes: number;
  /** How the body is compressed (its `Content-Encoding`). */
  readonly compression: Compression;
  /** Total time and minimum rate of the body; none when absent. */
  readonly deadline?: BodyDeadlineOptions;
  /** Counts bytes about to be kept (after decompression); false refuses them. @default () => true */
  readonly hold?: (bytes: number) => boolean;
}

/** Why a body was not read to the end. */
export type BodyProblem = 'too_large' | 'bad_compression' | 'aborted' | 'timeout' | 'over_budget';

/** The body, or why it was not read to the end. */
export type BodyOutcome =
  | { readonly ok: true; readonly body: Buffer }
  | { readonly ok: false; readonly problem: BodyProblem; readonly reason: string };

const OVER_BUDGET = 'too many request bytes in flight: retry later';
const TRAILING = 'bytes after the end of the zlib stream (send one stream)';

/**
 * Reads the whole body; never rejects. On failure the request is left paused (the caller answers
 * and closes the connection); on success it has been read to the end.
 */
export function readBody(request: IncomingMessage, options: ReadBodyOptions): Promise<BodyOutcome> {
  return new Promise((resolve) => {
    const { maxBodyBytes } = options;
    const { compression } = options;
    const maxWireBytes = compression === 'none' ? maxBodyBytes : maxCompressedBytes(maxBodyBytes);
    const chunks: Buffer[] = [];
    let wireBytes = 0;
    let bodyBytes = 0;
    let settled = false;
    const inflater: Decompressor | undefined =
      compression === 'none' ? undefined : createDecompressor(compression, maxBodyBytes);
    const hold = options.hold ?? (() => true);
    const deadline =
      options.deadline === undefined
        ? undefined
        : new BodyDeadline(options.deadline, (miss) =>
            finish({ ok: false, problem: 'timeout', reason: miss.reason }),
          );

    const finish = (outcome: BodyOutcome): void => {
      if (settled) return;
      settled = true;
      deadline?.stop();
      request.off('data', onWireData);
      request.off('end', onWireEnd);
      request.pause();
      if (inflater !== undefined && !outcome.ok) inflater.destroy();
      resolve(outcome);
    };
    const tooLarge = (): void =>
      finish({ ok: false, problem: 'too_large', reason: `request body exceeds ${maxBodyBytes} bytes` });
    const onBodyData = (chunk: Buffer): void => {
      bodyBytes += chunk.length;
      if (bodyBytes > maxBodyBytes) tooLarge();
      else if (!hold(chunk.length)) finish({ ok: false, problem: 'over_budget', reason: OVER_BUDGET });
      else chunks.push(chunk);
    };
    const onBodyEnd = (): void => finish({ ok: true, body: Buffer.concat(chunks, bodyBytes) });
    function onWireData(chunk: Buffer): void {
      wireBytes += chunk.length;
      deadline?.add(chunk.length);
      if (wireBytes > maxWireBytes) tooLarge();
      else if (inflater !== undefined) inflater.write(chunk);
      else onBodyData(chunk);
    }
    function onWireEnd(): void {
      if (inflater !== undefined) inflater.end();
      else onBodyEnd();
    }

    if (inflater !== undefined) {
      inflater.on('data', (chunk: Buffer) => {
        if (!settled) onBodyData(chunk);
      });
      inflater.on('end', () => {
        // Node's zlib decoder stops at the end of the stream: bytes after it would be lost.
        if (compression !== 'deflate' || (request.complete && inflater.bytesWritten === wireBytes))
          onBodyEnd();
        else finish({ ok: false, problem: 'bad_compression', reason: `${compression} body: ${TRAILING}` });
      });
      inflater.on('error', (error) =>
        finish({
          ok: false,
          problem: 'bad_compression',
          reason: `malformed ${compression} body: ${error.message}`,
        }),
      );
    }
    request.on('data', onWireData);
    request.on('end', onWireEnd);
    request.once('error', () =>
      finish({ ok: false, problem: 'aborted', reason: 'client closed the request' }),
    );
    request.once('close', () => {
      if (!request.complete) finish({ ok: false, problem: 'aborted', reason: 'client closed the request' });
    });
  });
}
