/** A read-only view of a store for `headroom state export`: allowed while a writer holds the lock. */
import { existsSync } from 'node:fs';
import type { DatabaseSync } from 'node:sqlite';
import { StoreReadError } from '../errors.ts';
import { loadSqlite } from './load-sqlite.ts';
import { SCHEMA_VERSION, schemaVersionOf } from './schema.ts';
import { readKind } from './sqlite-store.ts';

/** What the forwarding queue holds for one signal (bodies are not printed). */
export interface StoredQueueSummary {
  /** Requests waiting. */
  readonly requests: number;
  /** Spans or metric data points they hold. */
  readonly items: number;
  /** Their bodies' bytes (decompressed). */
  readonly bytes: number;
}

/**
 * Everything a store holds: `records[kind][key]` is the stored value; `queue[signal]` sums up the
 * forwarding queue's requests.
 */
export interface StoredState {
  readonly path: string;
  readonly schemaVersion: number;
  readonly records: Record<string, Record<string, unknown>>;
  readonly queue: Record<string, StoredQueueSummary>;
}

/**
 * Reads every record of the store at `path` without writing to it (WAL readers never wait for the
 * writer), waiting at most `timeoutMs` for a lock.
 * @throws {StoreReadError} when the file is missing, not a store, or from a newer Headroom
 */
export async function exportStoredState(path: string, timeoutMs: number): Promise<StoredState> {
  if (!existsSync(path)) throw new StoreReadError(path, 'no such file');
  const sqlite = await loadSqlite();
  let db: DatabaseSync | undefined;
  try {
    db = new sqlite.DatabaseSync(path, { readOnly: true, timeout: timeoutMs });
    const schemaVersion = schemaVersionOf(db);
    if (schemaVersion > SCHEMA_VERSION)
      throw new StoreReadError(path, `schema version ${schemaVersion} is newer than ${SCHEMA_VERSION}`);
    const records: Record<string, Record<string, unknown>> = {};
    const kinds =
      schemaVersion === 0 ? [] : db.prepare('SELECT DISTINCT kind FROM records ORDER BY kind').all();
    for (const { kind } of kinds) {
      const byKey: Record<string, unknown> = {};
      for (const record of readKind(db, String(kind))) byKey[record.key] = record.value;
      records[String(kind)] = byKey;
    }
    return { path, schemaVersion, records, queue: queueSummary(db, schemaVersion) };
  } catch (error) {
    if (error instanceof StoreReadError) throw error;
    throw new StoreReadError(path, (error as Error).message, { cause: error });
  } finally {
    db?.close();
  }
}

/** The forwarding queue per signal; empty before schema version 2 (no queue table yet). */
function queueSummary(db: DatabaseSync, schemaVersion: number): Record<string, StoredQueueSummary> {
  if (schemaVersion < 2) return {};
  const rows = db
    .prepare(
      'SELECT signal, COUNT(*) AS requests, SUM(items) AS items, SUM(LENGTH(body)) AS bytes FROM queued_requests GROUP BY signal ORDER BY signal',
    )
    .all();
  return Object.fromEntries(
    rows.map((row) => [
      String(row.signal),
      { requests: Number(row.requests), items: Number(row.items), bytes: Number(row.bytes) },
    ]),
  );
}
