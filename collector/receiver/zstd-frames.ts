/**
 * A zstd body may hold several frames one after another (RFC 8878: their contents concatenate;
 * Node's own zstd compression stream ends with an empty frame). Node's decoder stops at the end of
 * the first frame and drops the bytes after it, so a new decoder takes over where each frame ended.
 */
import { EventEmitter } from 'node:events';
import type { Decompressor } from './content-coding.ts';

/**
 * Decompresses every frame of a zstd body: emits `data` (decompressed chunks), then `end`, or
 * `error`. Keeps the compressed bytes of the current frame (at most the body's wire limit) to hand
 * the rest of a chunk to the next decoder.
 */
export class ZstdFrames extends EventEmitter implements Decompressor {
  readonly #decoder: () => Decompressor;
  #current: Decompressor;
  #held: Buffer[] = [];
  #ended = false;
  #consumed = 0;

  /** @param decoder makes the decoder of one frame (its window bounded by the caller) */
  constructor(decoder: () => Decompressor) {
    super();
    this.#decoder = decoder;
    this.#current = this.#attach(decoder());
  }

  /** Compressed bytes consumed so far. */
  get bytesWritten(): number {
    return this.#consumed + this.#current.bytesWritten;
  }

  write(chunk: Buffer): void {
    this.#held.push(chunk);
    this.#current.write(chunk);
  }

  end(): void {
    this.#ended = true;
    this.#current.end();
  }

  destroy(): void {
    this.#current.destroy();
  }

  #attach(frame: Decompressor): Decompressor {
    frame.on('data', (chunk: Buffer) => this.emit('data', chunk));
    frame.on('error', (error: Error) => this.emit('error', error));
    frame.on('end', () => {
      const rest = Buffer.concat(this.#held).subarray(frame.bytesWritten);
      this.#consumed += frame.bytesWritten;
      if (rest.length === 0 && this.#ended) this.emit('end');
      else this.#next(rest);
    });
    return frame;
  }

  /** Starts the next frame's decoder on the bytes after the previous frame. */
  #next(rest: Buffer): void {
    this.#current = this.#attach(this.#decoder());
    this.#held = rest.length === 0 ? [] : [rest];
    if (rest.length > 0) this.#current.write(rest);
    if (this.#ended) this.#current.end();
  }
}
