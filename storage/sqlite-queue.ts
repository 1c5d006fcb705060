/** The forwarding queue's table in the SQLite store (`queued_requests`, see schema.ts). */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { QueuedRequest, RequestQueueStore, StoredRequest } from '../agent/index.ts';

/**
 * {@link RequestQueueStore} on the store's connection. Each append or removal is one autocommit
 * transaction: in WAL mode with `synchronous = NORMAL` it is in the WAL file (the OS has it, a
 * `kill -9` loses nothing) when the call returns, and fsynced at the next WAL checkpoint.
 */
export class SqliteRequestQueue implements RequestQueueStore {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #delete: StatementSync;
  readonly #select: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#insert = db.prepare(
      'INSERT INTO queued_requests (signal, content_type, items, body) VALUES (?, ?, ?, ?)',
    );
    this.#delete = db.prepare('DELETE FROM queued_requests WHERE id = ?');
    this.#select = db.prepare(
      'SELECT id, content_type, items, body FROM queued_requests WHERE signal = ? ORDER BY id',
    );
  }

  append(request: QueuedRequest): number {
    const { lastInsertRowid } = this.#insert.run(
      request.signal,
      request.contentType,
      request.items,
      request.body,
    );
    return Number(lastInsertRowid);
  }

  remove(ids: readonly number[]): void {
    if (ids.length === 0) return;
    if (ids.length === 1) {
      this.#delete.run(ids[0] as number);
      return;
    }
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      for (const id of ids) this.#delete.run(id);
      this.#db.exec('COMMIT');
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  list(signal: string): StoredRequest[] {
    return this.#select.all(signal).map((row) => ({
      id: Number(row.id),
      signal,
      contentType: String(row.content_type),
      items: Number(row.items),
      body: row.body as Uint8Array,
    }));
  }
}
