// The forwarding queue's table in the SQLite store, on real files: order, reopen, migration from a
// version-1 store, and a full disk (PRAGMA max_page_count on the writing connection).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { ManualClock, type QueuedRequest } from '../../agent/index.ts';
import { exportStoredState, openSqliteStore, sqliteCode } from '../../storage/index.ts';
import { migrate, SCHEMA_VERSION } from '../../storage/schema.ts';
import { SqliteRequestQueue } from '../../storage/sqlite-queue.ts';

function storePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'headroom-queue-')), 'state.db');
}

function open(path: string) {
  return openSqliteStore({ path, lockTimeoutMs: 0, clock: new ManualClock(), onWarning: () => {} });
}

const request = (signal: string, text: string, items = 1): QueuedRequest => ({
  signal,
  contentType: 'application/x-protobuf',
  items,
  body: new Uint8Array(Buffer.from(text)),
});

describe('SqliteRequestQueue', () => {
  it('should keep requests per signal in arrival order across a reopen, and remove them by id', async () => {
    const path = storePath();
    const store = await open(path);
    const binary = { ...request('traces', ''), body: new Uint8Array([0, 255, 10, 0, 13]), items: 7 };
    const ids = [
      store.requests.append(request('traces', 'a', 2)),
      store.requests.append(request('metrics', 'm', 5)),
      store.requests.append(binary),
      store.requests.append(request('traces', 'c', 3)),
    ];
    expect(ids).toEqual([1, 2, 3, 4]);
    store.requests.remove([4]);
    store.requests.remove([]);
    // The newest was removed: the next id still comes after every request held.
    expect(store.requests.append(request('traces', 'd', 1))).toBe(4);
    store.close();
    const again = await open(path);
    expect(again.requests.list('traces')).toEqual([
      { id: 1, ...request('traces', 'a', 2) },
      { id: 3, ...binary },
      { id: 4, ...request('traces', 'd', 1) },
    ]);
    again.requests.remove([1, 3, 99]);
    expect([again.requests.list('traces'), again.requests.list('metrics')]).toEqual([
      [{ id: 4, ...request('traces', 'd', 1) }],
      [{ id: 2, ...request('metrics', 'm', 5) }],
    ]);
    again.close();
  });

  it('should add the queue to a version-1 store, keeping its records', async () => {
    const path = storePath();
    const v1 = new DatabaseSync(path);
    v1.exec(
      'CREATE TABLE records (kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID',
    );
    v1.exec(`INSERT INTO records VALUES ('degradation', 'shop/checkout', '{"level":"SEVERE"}')`);
    v1.exec('PRAGMA user_version = 1');
    v1.close();
    expect(await exportStoredState(path, 100)).toEqual({
      path,
      schemaVersion: 1,
      records: { degradation: { 'shop/checkout': { level: 'SEVERE' } } },
      queue: {},
    });
    const store = await open(path);
    expect(store.read('degradation')).toEqual([
      { kind: 'degradation', key: 'shop/checkout', value: { level: 'SEVERE' } },
    ]);
    expect(store.requests.append(request('traces', 'x'))).toBe(1);
    store.close();
    const check = new DatabaseSync(path, { readOnly: true });
    expect(check.prepare('PRAGMA user_version').get()).toEqual({ user_version: SCHEMA_VERSION });
    check.close();
  });

  it('should refuse a request on a full disk with SQLITE_FULL, keep the others, and take it once there is room', () => {
    const db = new DatabaseSync(storePath());
    db.exec('PRAGMA journal_mode = WAL');
    migrate(db);
    const queue = new SqliteRequestQueue(db);
    queue.append(request('traces', 'small'));
    const pages = (db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count;
    db.exec(`PRAGMA max_page_count = ${pages + 2}`);
    const big = request('traces', 'x'.repeat(64 * 1024), 100);
    let full: unknown;
    try {
      queue.append(big);
    } catch (error) {
      full = error;
    }
    expect(sqliteCode(full)).toBe(13); // SQLITE_FULL
    expect(queue.list('traces')).toEqual([{ id: 1, ...request('traces', 'small') }]);
    db.exec('PRAGMA max_page_count = 1073741823');
    expect(queue.append(big)).toBe(2);
    expect(queue.list('traces').map((r) => [r.id, r.items, r.body.byteLength])).toEqual([
      [1, 1, 5],
      [2, 100, 64 * 1024],
    ]);
    db.close();
  });
});
