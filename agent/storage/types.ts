/**
 * The storage contract: what a checkpoint writes and a restore reads. State is a set of keyed
 * records grouped by kind (`degradation` per service, later SLO histories, alert instances, ...);
 * each value is JSON-able plain data owned and validated by its component. A backend (storage/,
 * SQLite through node:sqlite) implements {@link StateStore}; nothing in agent/ touches a file.
 */

/** One stored record: `value` is JSON-able plain data, unique per (`kind`, `key`). */
export interface StoredRecord {
  /** What the record holds, e.g. `degradation`. */
  readonly kind: string;
  /** Which one of its kind, e.g. a service key. */
  readonly key: string;
  readonly value: unknown;
}

/** What one checkpoint changes, written atomically: records upserted, then (kind, key) pairs deleted. */
export interface Checkpoint {
  readonly upserts: readonly StoredRecord[];
  readonly deletes: readonly Pick<StoredRecord, 'kind' | 'key'>[];
}

/** One OTLP request waiting in the forwarding queue: its body as received (decompressed). */
export interface QueuedRequest {
  /** Which forwarder it belongs to: `traces` or `metrics`. */
  readonly signal: string;
  readonly contentType: string;
  /** Spans or metric data points it holds. */
  readonly items: number;
  readonly body: Uint8Array;
}

/** A {@link QueuedRequest} as stored: `id` grows with arrival order. */
export interface StoredRequest extends QueuedRequest {
  readonly id: number;
}

/**
 * The forwarding queue on disk: requests kept, in arrival order, from the moment the receiver
 * accepts them until they are delivered or dropped. Each call is its own transaction, committed
 * (in the WAL: it survives a crash of the process) when it returns.
 */
export interface RequestQueueStore {
  /** Appends `request`. @returns its id @throws when it cannot be written (disk full, store unwritable) */
  append(request: QueuedRequest): number;
  /** Removes the requests `ids` (delivered or dropped); unknown ids are ignored. @throws when it cannot be written */
  remove(ids: readonly number[]): void;
  /** Every stored request of `signal`, oldest first. @throws when the store cannot be read */
  list(signal: string): StoredRequest[];
}

/** A durable state store with one writer (the process holding its lock). */
export interface StateStore {
  /** The store's file. */
  readonly path: string;
  /** The forwarding queue's requests. */
  readonly requests: RequestQueueStore;
  /** Every record of `kind`, in key order. @throws when the store cannot be read */
  read(kind: string): StoredRecord[];
  /**
   * Applies `checkpoint` in one transaction: all of it or nothing. Returns the size of the values
   * written (their JSON text, characters: bytes for ASCII). @throws when it cannot be written (disk full)
   */
  write(checkpoint: Checkpoint): number;
  /** Releases the store and its lock. Idempotent. */
  close(): void;
}
