/**
 * Reads a request body under a size limit that holds while the bytes stream in and after gzip
 * decompression: inflation runs chunk by chunk as the compressed bytes arrive and stops as soon as
 * the output passes the limit, so a gzip bomb costs at most the limit plus one zlib chunk (16 KiB).
 * Each chunk kept is first counted against the admission budget, and the body must arrive within
 * its deadlines (total time and minimum rate).
 */
import type { IncomingMessage } from 'node:http';
import { createGunzip, type Gunzip } from 'node:zlib';
import { BodyDeadline, type BodyDeadlineOptions } from './body-deadline.ts';

/** Options of {@link readBody}. */
export interface ReadBodyOptions {
  /** Largest body, bytes, after decompression. */
  readonly maxBodyBytes: number;
  /** Whether the body is gzip-compressed (`Content-Encoding: gzip`). */
  readonly gzip: boolean;
  /** Total time and minimum rate of the body; none when absent. */
  readonly deadline?: BodyDeadlineOptions;
  /** Counts bytes about to be kept (after decompression); false refuses them. @default () => true */
  readonly hold?: (bytes: number) => boolean;
}

/** Why a body was not read to the end. */
export type BodyProblem = 'too_large' | 'bad_gzip' | 'aborted' | 'timeout' | 'over_budget';

/** The body, or why it was not read to the end. */
export type BodyOutcome =
  | { readonly ok: true; readonly body: Buffer }
  | { readonly ok: false; readonly problem: BodyProblem; readonly reason: string };

const OVER_BUDGET = 'too many request bytes in flight: retry later';

/**
 * Largest gzip stream a body of `maxBodyBytes` can compress to (zlib's `deflateBound` for stored
 * blocks, plus the gzip header and trailer with room for a file name): the limit on the bytes read.
 */
export function maxCompressedBytes(maxBodyBytes: number): number {
  return maxBodyBytes + (maxBodyBytes >>> 12) + (maxBodyBytes >>> 14) + 1024;
}

/**
 * Reads the whole body; never rejects. On failure the request is left paused (the caller answers
 * and closes the connection); on success it has been read to the end.
 */
export function readBody(request: IncomingMessage, options: ReadBodyOptions): Promise<BodyOutcome> {
  return new Promise((resolve) => {
    const { maxBodyBytes } = options;
    const maxWireBytes = options.gzip ? maxCompressedBytes(maxBodyBytes) : maxBodyBytes;
    const chunks: Buffer[] = [];
    let wireBytes = 0;
    let bodyBytes = 0;
    let settled = false;
    const gunzip: Gunzip | undefined = options.gzip ? createGunzip() : undefined;
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
      if (gunzip !== undefined && !outcome.ok) gunzip.destroy();
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
      else if (gunzip !== undefined) gunzip.write(chunk);
      else onBodyData(chunk);
    }
    function onWireEnd(): void {
      if (gunzip !== undefined) gunzip.end();
      else onBodyEnd();
    }

    if (gunzip !== undefined) {
      gunzip.on('data', (chunk: Buffer) => {
        if (!settled) onBodyData(chunk);
      });
      gunzip.on('end', onBodyEnd);
      gunzip.on('error', (error) =>
        finish({ ok: false, problem: 'bad_gzip', reason: `malformed gzip body: ${error.message}` }),
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
