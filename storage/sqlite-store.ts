/**
 * The SQLite state store (node:sqlite, loaded lazily): one file in WAL mode, one writer per store
 * (an exclusive transaction held open on `<path>.lock` for the process lifetime, released by the
 * OS even on kill -9; a second writer tries again on the clock, never blocking the event loop),
 * read-only opens always allowed. A store that cannot be read, is corrupt or
 * comes from a newer Headroom is moved aside (`<path>.corrupt-<ms>` / `.newer-<ms>`) and a clean
 * one started, so a bad file never crash-loops the process.
 */
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { type Checkpoint, type Clock, type StateStore, type StoredRecord, sleep } from '../agent/index.ts';
import { HeadroomError, StoreLockedError, StoreOpenError } from '../errors.ts';
import { loadSqlite } from './load-sqlite.ts';
import { migrate, SCHEMA_VERSION, schemaProblem, schemaVersionOf } from './schema.ts';
import { SqliteRequestQueue } from './sqlite-queue.ts';

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** The store's file; its directory is created when missing. */
  readonly path: string;
  /** How long to wait for another process's lock before giving up, ms (0: one try). */
  readonly lockTimeoutMs: number;
  /** Told (once per event) that a bad store was moved aside; the message names both files. */
  readonly onWarning: (message: string) => void;
  /** Told once when another process holds the lock and the wait for it begins. */
  readonly onWait?: (message: string) => void;
  /** Paces the lock retries and dates a moved-aside file's suffix. */
  readonly clock: Clock;
  /** Stops the wait for the lock (a free store is still taken): the open rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * Caps the file at this many pages (SQLite's `max_page_count`, never below what it holds): a
   * write past it fails with SQLITE_FULL, as on a full disk. @default no cap
   */
  readonly maxPageCount?: number;
}

/** How often a second writer tries the lock again, ms. */
const LOCK_RETRY_MS = 100;

/** SQLite's primary result code of a failure (SQLITE_BUSY 5, SQLITE_FULL 13, SQLITE_NOTADB 26, ...). */
export function sqliteCode(error: unknown): number | undefined {
  const code = (error as { errcode?: unknown } | null)?.errcode;
  return typeof code === 'number' ? code & 0xff : undefined;
}

const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;

/**
 * Opens `path` for writing: takes the lock (trying again every {@link LOCK_RETRY_MS} on the clock
 * for up to `lockTimeoutMs`; the event loop runs meanwhile), moves a bad store aside, migrates the
 * schema, turns WAL on.
 * @throws {StoreLockedError} when another process holds the lock past `lockTimeoutMs`
 * @throws the signal's reason when `signal` aborts the wait
 * @throws {StoreOpenError} when `path` is a directory or a device, or it or its directory cannot
 *   be created or written (nothing is moved aside then)
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<StateStore> {
  const { DatabaseSync } = await loadSqlite();
  try {
    refuseNonFile(options.path);
    mkdirSync(dirname(options.path), { recursive: true });
    const lock = await takeLock(new DatabaseSync(`${options.path}.lock`, { timeout: 0 }), options);
    try {
      return new SqliteStore(openUsable(DatabaseSync, options), lock, options.path);
    } catch (error) {
      lock.close();
      throw error;
    }
  } catch (error) {
    if (error instanceof HeadroomError || options.signal?.aborted) throw error;
    throw new StoreOpenError(options.path, (error as Error).message, { cause: error });
  }
}

/** A directory or a device at `path` is never opened (nor moved aside). @throws {StoreOpenError} */
function refuseNonFile(path: string): void {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined || stat.isFile()) return;
  throw new StoreOpenError(
    path,
    stat.isDirectory()
      ? 'it is a directory (storage.path names the store file itself)'
      : 'it is not a regular file',
  );
}

/** Begins the exclusive transaction on `lock`, retrying while another process holds it; closes `lock` on failure. */
async function takeLock(lock: DatabaseSync, options: SqliteStoreOptions): Promise<DatabaseSync> {
  const deadlineMs = options.clock.now() + options.lockTimeoutMs;
  let tries = 0;
  try {
    for (;;) {
      try {
        lock.exec('BEGIN EXCLUSIVE');
        return lock;
      } catch (error) {
        const code = sqliteCode(error);
        if (code !== SQLITE_BUSY && code !== SQLITE_LOCKED) throw error;
        // An aborted signal ends a wait, never a first try: a free store is still taken.
        options.signal?.throwIfAborted();
        const leftMs = deadlineMs - options.clock.now();
        if (leftMs <= 0) throw new StoreLockedError(options.path, options.lockTimeoutMs, { cause: error });
        if (tries++ === 0)
          options.onWait?.(
            `state store ${options.path} is locked by another process: waiting up to ${options.lockTimeoutMs} ms for it`,
          );
        await sleep(options.clock, Math.min(LOCK_RETRY_MS, leftMs), options.signal);
      }
    }
  } catch (error) {
    lock.close();
    throw error;
  }
}

/** A store whose content this Headroom cannot use: moved aside, never a reason to stop. */
class DamagedStore extends Error {}

/** SQLite codes that say the file's content is bad (not the disk, the directory or the lock). */
const DAMAGE_CODES = new Set([1 /* ERROR: a table or column missing */, 11 /* CORRUPT */, 26 /* NOTADB */]);

/**
 * Opens the store, moving it aside once when it is corrupt, newer, or its tables are not this
 * version's. @throws the SQLite error when the file or its directory cannot be written
 */
function openUsable(Database: typeof DatabaseSync, options: SqliteStoreOptions): DatabaseSync {
  let db: DatabaseSync | undefined;
  try {
    db = new Database(options.path);
    return usable(db, options.maxPageCount);
  } catch (error) {
    db?.close();
    if (!(error instanceof DamagedStore) && !DAMAGE_CODES.has(sqliteCode(error) ?? 0)) throw error;
    moveAside(options, error instanceof DamagedStore ? error.message : `corrupt:${(error as Error).message}`);
    return usable(new Database(options.path), options.maxPageCount);
  }
}

/** Checks `db`, turns WAL on and migrates it. @throws {DamagedStore} when its content is unusable */
function usable(db: DatabaseSync, maxPageCount: number | undefined): DatabaseSync {
  const version = schemaVersionOf(db);
  if (version > SCHEMA_VERSION)
    throw new DamagedStore(`newer:schema version ${version}, this Headroom reads up to ${SCHEMA_VERSION}`);
  if (version < 0) throw new DamagedStore(`corrupt:schema version ${version}`);
  const check = db.prepare('PRAGMA quick_check').get() as { quick_check?: unknown } | undefined;
  if (check?.quick_check !== 'ok')
    throw new DamagedStore(`corrupt:integrity check says ${String(check?.quick_check)}`);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  migrate(db);
  const problem = schemaProblem(db);
  if (problem !== undefined) throw new DamagedStore(`corrupt:${problem}`);
  if (maxPageCount !== undefined) db.exec(`PRAGMA max_page_count = ${maxPageCount}`);
  return db;
}

function moveAside(options: SqliteStoreOptions, why: string): void {
  const [kind, detail] = [why.slice(0, why.indexOf(':')), why.slice(why.indexOf(':') + 1)];
  const aside = `${options.path}.${kind}-${options.clock.now()}`;
  for (const suffix of ['', '-wal', '-shm'])
    if (existsSync(options.path + suffix)) renameSync(options.path + suffix, aside + suffix);
  options.onWarning(
    `state store ${options.path} is ${kind === 'newer' ? 'from a newer Headroom' : 'unreadable or corrupt'} (${detail}): moved aside to ${aside}, starting with a clean store`,
  );
}

class SqliteStore implements StateStore {
  readonly path: string;
  readonly requests: SqliteRequestQueue;
  readonly #db: DatabaseSync;
  readonly #lock: DatabaseSync;
  #closed = false;

  constructor(db: DatabaseSync, lock: DatabaseSync, path: string) {
    this.#db = db;
    this.#lock = lock;
    this.path = path;
    this.requests = new SqliteRequestQueue(db);
  }

  read(kind: string): StoredRecord[] {
    return readKind(this.#db, kind);
  }

  write(checkpoint: Checkpoint): number {
    const upsert = this.#db.prepare(
      'INSERT INTO records (kind, key, value) VALUES (?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value',
    );
    const remove = this.#db.prepare('DELETE FROM records WHERE kind = ? AND key = ?');
    let size = 0;
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      for (const record of checkpoint.upserts) {
        const json = JSON.stringify(record.value);
        size += json.length;
        upsert.run(record.kind, record.key, json);
      }
      for (const record of checkpoint.deletes) remove.run(record.kind, record.key);
      this.#db.exec('COMMIT');
      return size;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
    this.#lock.close();
  }
}

/** The records of `kind` in key order; a row whose value is not JSON is skipped. */
export function readKind(db: DatabaseSync, kind: string): StoredRecord[] {
  const rows = db.prepare('SELECT key, value FROM records WHERE kind = ? ORDER BY key').all(kind);
  const records: StoredRecord[] = [];
  for (const row of rows) {
    try {
      records.push({ kind, key: String(row.key), value: JSON.parse(String(row.value)) });
    } catch {
      // Written by JSON.stringify: only a damaged page gets here, and the record is lost, not the store.
    }
  }
  return records;
}
