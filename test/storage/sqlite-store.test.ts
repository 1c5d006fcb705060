// The SQLite state store on real files: round trips, the writer lock, bad stores moved aside, read-only export.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { StoreLockedError, StoreReadError } from '../../errors.ts';
import { exportStoredState, openSqliteStore, sqliteCode } from '../../storage/index.ts';
import { SCHEMA_VERSION } from '../../storage/schema.ts';

function storePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'headroom-store-')), 'nested', 'state.db');
}

function open(path: string, warnings: string[] = [], lockTimeoutMs = 50) {
  return openSqliteStore({
    path,
    lockTimeoutMs,
    nowMs: 1_700_000_000_000,
    onWarning: (m) => warnings.push(m),
  });
}

describe('openSqliteStore', () => {
  it('should write upserts and deletes atomically and read them back after a reopen', async () => {
    const path = storePath();
    const store = await open(path);
    store.write({
      upserts: [
        { kind: 'degradation', key: 'b', value: { level: 'SEVERE' } },
        { kind: 'degradation', key: 'a', value: [1, 2] },
        { kind: 'other', key: 'a', value: 'x' },
      ],
      deletes: [],
    });
    store.write({
      upserts: [{ kind: 'degradation', key: 'b', value: { level: 'NONE' } }],
      deletes: [{ kind: 'other', key: 'a' }],
    });
    store.close();
    store.close();
    const again = await open(path);
    expect([again.read('degradation'), again.read('other')]).toEqual([
      [
        { kind: 'degradation', key: 'a', value: [1, 2] },
        { kind: 'degradation', key: 'b', value: { level: 'NONE' } },
      ],
      [],
    ]);
    again.close();
  });

  it('should keep a second writer waiting for lockTimeout, then refuse it; free once the first closes', async () => {
    const path = storePath();
    const first = await open(path);
    const startedMs = performance.now();
    const refused = await open(path, [], 150).catch((error: unknown) => error);
    const waitedMs = performance.now() - startedMs;
    expect(refused).toBeInstanceOf(StoreLockedError);
    expect([(refused as StoreLockedError).code, (refused as StoreLockedError).message]).toEqual([
      'HEADROOM_ERR_STORE_LOCKED',
      `state store ${path} is locked by another process (waited 150 ms)`,
    ]);
    expect(waitedMs).toBeGreaterThanOrEqual(140);
    first.close();
    const second = await open(path);
    second.close();
  });

  it('should move a corrupt file aside, say so, and start clean', async () => {
    const path = storePath();
    (await open(path)).close();
    writeFileSync(path, 'not a database '.repeat(500));
    const warnings: string[] = [];
    const store = await open(path, warnings);
    expect(store.read('degradation')).toEqual([]);
    store.close();
    const aside = `${path}.corrupt-1700000000000`;
    expect([existsSync(aside), existsSync(path)]).toEqual([true, true]);
    expect(warnings).toEqual([
      `state store ${path} is unreadable or corrupt (file is not a database): moved aside to ${aside}, starting with a clean store`,
    ]);
  });

  it('should move a store of a newer schema aside and start clean', async () => {
    const path = storePath();
    const store = await open(path);
    store.write({ upserts: [{ kind: 'k', key: 'a', value: 1 }], deletes: [] });
    store.close();
    const db = new DatabaseSync(path);
    db.exec('PRAGMA user_version = 99');
    db.close();
    const warnings: string[] = [];
    const clean = await open(path, warnings);
    expect(clean.read('k')).toEqual([]);
    clean.close();
    expect(warnings).toEqual([
      `state store ${path} is from a newer Headroom (schema version 99, this Headroom reads up to ${SCHEMA_VERSION}): moved aside to ${path}.newer-1700000000000, starting with a clean store`,
    ]);
    await expect(exportStoredState(`${path}.newer-1700000000000`, 100)).rejects.toThrow(
      `cannot read state store ${path}.newer-1700000000000: schema version 99 is newer than ${SCHEMA_VERSION}`,
    );
  });

  it("should roll a failed write back whole and report SQLite's code", async () => {
    const path = storePath();
    const store = await open(path);
    store.write({ upserts: [{ kind: 'k', key: 'a', value: 1 }], deletes: [] });
    const other = new DatabaseSync(path);
    other.exec('BEGIN EXCLUSIVE'); // the store cannot write: as unwritable as a full disk for a checkpoint
    const failure = (() => {
      try {
        store.write({ upserts: [{ kind: 'k', key: 'b', value: 2 }], deletes: [] });
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    other.exec('ROLLBACK');
    other.close();
    expect(sqliteCode(failure)).toBe(5);
    expect(sqliteCode(new Error('x'))).toBeUndefined();
    expect(store.read('k')).toEqual([{ kind: 'k', key: 'a', value: 1 }]);
    store.close();
  });
});

describe('exportStoredState', () => {
  it('should read every kind read-only while the writer holds the lock', async () => {
    const path = storePath();
    const store = await open(path);
    store.write({
      upserts: [
        { kind: 'degradation', key: 's', value: { level: 'CRITICAL' } },
        { kind: 'alerts', key: 'x', value: { firing: true } },
      ],
      deletes: [],
    });
    const request = { contentType: 'application/json', items: 3, body: new Uint8Array(10) };
    store.requests.append({ ...request, signal: 'traces' });
    store.requests.append({ ...request, signal: 'traces', items: 4 });
    store.requests.append({ ...request, signal: 'metrics', body: new Uint8Array(5) });
    expect(await exportStoredState(path, 100)).toEqual({
      path,
      schemaVersion: SCHEMA_VERSION,
      records: { alerts: { x: { firing: true } }, degradation: { s: { level: 'CRITICAL' } } },
      queue: {
        metrics: { requests: 1, items: 3, bytes: 5 },
        traces: { requests: 2, items: 7, bytes: 20 },
      },
    });
    store.close();
  });

  it('should refuse a missing file and a file that is not a store, with HEADROOM_ERR_STORE_READ', async () => {
    const path = storePath();
    const missing = await exportStoredState(path, 100).catch((error: unknown) => error);
    expect([missing instanceof StoreReadError, (missing as StoreReadError).message]).toEqual([
      true,
      `cannot read state store ${path}: no such file`,
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'headroom-store-'));
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'x'.repeat(1000));
    await expect(exportStoredState(junk, 100)).rejects.toThrow(
      `cannot read state store ${junk}: file is not a database`,
    );
    expect(readdirSync(dir)).toEqual(['junk.db']); // read-only: nothing created, nothing moved
  });
});
