/**
 * Caps on open streams (the decision stream and the live view's, counted together): one per caller (a token, or anonymous access as one caller) and one
 * in all. Each stream holds a file descriptor for as long as it lives, so without a cap per caller
 * one token could take every stream the process can afford, and without one in all, streams could
 * take the descriptors the OTLP receiver needs to accept connections.
 */
import type { Principal } from './token-auth.ts';

/** Options of {@link StreamQuota}. */
export interface StreamQuotaOptions {
  /** Most streams open at once, all callers together. */
  readonly maxStreams: number;
  /** Most streams one caller may hold open. */
  readonly maxStreamsPerToken: number;
}

/** Why a stream was refused: the sentence of the 429. */
export interface QuotaRefusal {
  readonly refused: string;
}

export class StreamQuota {
  readonly #options: StreamQuotaOptions;
  readonly #perCaller = new Map<string, number>();
  #open = 0;

  constructor(options: StreamQuotaOptions) {
    this.#options = options;
  }

  /** Streams open now, all callers together. */
  get open(): number {
    return this.#open;
  }

  /** Streams `principal` holds open now. */
  openBy(principal: Principal): number {
    return this.#perCaller.get(principal.name) ?? 0;
  }

  /**
   * Takes a stream for `principal`, or says why not. The caller must call the returned function
   * once the stream ends (idempotent).
   */
  take(principal: Principal): QuotaRefusal | { readonly release: () => void } {
    const { maxStreams, maxStreamsPerToken } = this.#options;
    const held = this.openBy(principal);
    if (held >= maxStreamsPerToken) {
      return {
        refused: `too many open streams for ${callerOf(principal)} (${held}, api.maxStreamsPerToken); close one or retry later`,
      };
    }
    if (this.#open >= maxStreams) {
      return {
        refused: `too many open streams (${this.#open}, api.maxStreams); retry later`,
      };
    }
    this.#open++;
    this.#perCaller.set(principal.name, held + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#open--;
        const left = this.openBy(principal) - 1;
        if (left > 0) this.#perCaller.set(principal.name, left);
        else this.#perCaller.delete(principal.name);
      },
    };
  }
}

function callerOf(principal: Principal): string {
  return principal.name === 'anonymous' ? 'anonymous access' : `token "${principal.name}"`;
}
