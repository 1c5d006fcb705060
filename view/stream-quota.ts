/**
 * Caps on open streams (the decision stream and the live view's, counted together): one per caller
 * (a configured token, or anonymous access as one caller) and one in all. A caller is the token
 * itself, not its name: names may repeat (two secrets of one name while a token is rotated, or two
 * tenants who picked the same name), and tenants must not share, or starve, each other's streams. Each stream holds a file descriptor for as long as it lives, so without a cap per caller
 * one token could take every stream the process can afford, and without one in all, streams could
 * take the descriptors the OTLP receiver needs to accept connections.
 */
import type { ServerResponse } from 'node:http';
import { diag } from '@opentelemetry/api';
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
  // Keyed by the Principal object TokenAuth holds per configured token (kept across a reload that
  // leaves the token unchanged): one key per token, whatever its name.
  readonly #perCaller = new Map<Principal, number>();
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
    return this.#perCaller.get(principal) ?? 0;
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
    this.#perCaller.set(principal, held + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#open--;
        const left = this.openBy(principal) - 1;
        if (left > 0) this.#perCaller.set(principal, left);
        else this.#perCaller.delete(principal);
      },
    };
  }
}

function callerOf(principal: Principal): string {
  return principal.name === 'anonymous' ? 'anonymous access' : `token "${principal.name}"`;
}

/**
 * Runs `open` (which takes a stream's slot) once `response` has its socket: at once, or when the
 * answers queued before it on its connection are done. node:http calls the handler of each
 * pipelined request at once, with its response queued; a slot taken then would be held by a
 * stream that cannot be sent (the one before it never ends), so one connection could hold a
 * token's every slot (review16c M4). A stream pipelined behind a stream thus waits, holding no slot:
 * one stream per connection. `open` never throws into node:http (a failure is logged and the
 * connection closed).
 */
export function whenConnected(response: ServerResponse, open: () => void): void {
  if (response.socket !== null) {
    open();
    return;
  }
  response.once('socket', () => {
    try {
      open();
    } catch (error) {
      diag.error('headroom: stream request failed', error);
      response.destroy();
    }
  });
}
