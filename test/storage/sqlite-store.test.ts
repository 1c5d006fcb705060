// The SQLite state store on real files: round trips, the writer lock, bad stores moved aside, read-only export.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../agent/clock.ts';
import { StoreLockedError, StoreReadError } from '../../errors.ts';
import { exportStoredState, openSqliteStore, sqliteCode } from '../../storage/index.ts';
import { SCHEMA_VERSION } from '../../storage/schema.ts';

function storePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'headroom-store-')), 'nested', 'state.db');
}

function open(path: string, warnings: string[] = [], lockTimeoutMs = 0) {
  return openSqliteStore({
    path,
    lockTimeoutMs,
    clock: new ManualClock(1_700_000_000_000),
    onWarning: (m) => warnings.push(m),
  });
}

/** A second writer's open on a ManualClock, with what it said and whether it has settled. */
function waitingOpen(path: string, lockTimeoutMs: number, signal?: AbortSignal) {
  const clock = new ManualClock(1_700_000_000_000);
  const waits: string[] = [];
  let settled = false;
  const opening = openSqliteStore({
    path,
    lockTimeoutMs,
    clock,
    signal,
    onWait: (m) => waits.push(m),
    onWarning: () => {},
  });
  const outcome = opening.then(
    (store) => store,
    (error: unknown) => error,
  );
  void outcome.then(() => {
    settled = true;
  });
  return { clock, waits, outcome, settled: () => settled };
}

/** Lets the event loop turn once: proof that a waiting open does not hold it. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

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

  it('should retry the lock on the clock for lockTimeout with the event loop free, then refuse', async () => {
    const path = storePath();
    const first = await open(path);
    const second = waitingOpen(path, 1000);
    await turn();
    await second.clock.advanceAsync(999);
    await turn();
    expect([second.settled(), second.waits]).toEqual([
      false,
      [`state store ${path} is locked by another process: waiting up to 1000 ms for it`],
    ]);
    await second.clock.advanceAsync(1);
    const refused = await second.outcome;
    expect(refused).toBeInstanceOf(StoreLockedError);
    expect([(refused as StoreLockedError).code, (refused as StoreLockedError).message]).toEqual([
      'HEADROOM_ERR_STORE_LOCKED',
      `state store ${path} is locked by another process (waited 1000 ms)`,
    ]);
    expect(second.clock.pendingTimers).toBe(0);
    first.close();
    (await open(path)).close(); // the refused writer kept nothing open
  });

  it('should take the lock at the next retry once the first writer releases it', async () => {
    const path = storePath();
    const first = await open(path);
    first.write({ upserts: [{ kind: 'k', key: 'a', value: 1 }], deletes: [] });
    const second = waitingOpen(path, 30_000);
    await second.clock.advanceAsync(250);
    first.close();
    expect(second.settled()).toBe(false);
    await second.clock.advanceAsync(100);
    const store = (await second.outcome) as Awaited<ReturnType<typeof open>>;
    expect([second.waits.length, store.read('k')]).toEqual([1, [{ kind: 'k', key: 'a', value: 1 }]]);
    store.close();
  });

  it('should stop waiting for the lock at once when its signal aborts, keeping nothing open', async () => {
    const path = storePath();
    const first = await open(path);
    const controller = new AbortController();
    const second = waitingOpen(path, 30_000, controller.signal);
    await second.clock.advanceAsync(1000);
    controller.abort('SIGTERM');
    expect(await second.outcome).toBe('SIGTERM');
    expect(second.clock.pendingTimers).toBe(0);
    const third = waitingOpen(path, 1000, controller.signal); // aborted already: one try, no wait
    expect([await third.outcome, third.waits]).toEqual(['SIGTERM', []]);
    first.close();
    const fourth = waitingOpen(path, 1000, controller.signal); // a free store is taken all the same
    ((await fourth.outcome) as Awaited<ReturnType<typeof open>>).close();
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
