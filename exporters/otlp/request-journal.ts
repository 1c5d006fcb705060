/**
 * The forwarding queue's requests on disk (collector mode with a store): a request is appended
 * before the receiver answers 2xx for it, and removed once it is delivered or dropped; what a
 * previous run left is read back at start. Failures are values: a request that cannot be written
 * is refused by the caller (503), one that cannot be removed is delivered again after a restart.
 */
import { diag } from '@opentelemetry/api';
import type { QueuedRequest, RequestQueueStore, StoredRequest } from '../../agent/index.ts';

/** One signal's view of the store's queue table; never throws. */
export class RequestJournal {
  readonly #store: RequestQueueStore;
  readonly #signal: string;
  /** Set while the store refuses writes: one log line per outage, not per request. */
  #failing = false;

  constructor(store: RequestQueueStore, signal: string) {
    this.#store = store;
    this.#signal = signal;
  }

  /** Appends `request`; `undefined` when the store cannot keep it (disk full, store unwritable). */
  append(request: Omit<QueuedRequest, 'signal'>): number | undefined {
    try {
      const id = this.#store.append({ ...request, signal: this.#signal });
      if (this.#failing)
        diag.info(`headroom: the ${this.#signal} forwarding queue is written to the store again`);
      this.#failing = false;
      return id;
    } catch (error) {
      if (!this.#failing)
        diag.error(
          `headroom: the ${this.#signal} forwarding queue cannot be written to the store (${(error as Error).message}): OTLP requests are refused with 503 until it can`,
          error,
        );
      this.#failing = true;
      return undefined;
    }
  }

  /** Forgets the requests `ids` (delivered or dropped). */
  remove(ids: readonly number[]): void {
    try {
      this.#store.remove(ids);
    } catch (error) {
      diag.error(
        `headroom: ${ids.length} delivered ${this.#signal} request(s) could not be removed from the store (${(error as Error).message}): they are sent again after a restart`,
        error,
      );
    }
  }

  /** What a previous run left, oldest first; empty (and logged) when the store cannot be read. */
  stored(): StoredRequest[] {
    try {
      return this.#store.list(this.#signal);
    } catch (error) {
      diag.error(
        `headroom: the stored ${this.#signal} forwarding queue cannot be read (${(error as Error).message}): it stays in the store, not forwarded`,
        error,
      );
      return [];
    }
  }
}
