// Stores a person or another program damaged, and paths that are no store: content this Headroom
// cannot use is moved aside and a clean store started (never a crash loop); a path that cannot be a
// store (a directory, a device, an unwritable place) is refused with HEADROOM_ERR_STORE_OPEN and
// nothing is moved or created.
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../agent/clock.ts';
import { StoreOpenError } from '../../errors.ts';
import { openSqliteStore } from '../../storage/index.ts';
import { killCollectors, startCollectorProcess } from '../helpers/collector-process.ts';

afterEach(killCollectors);

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'headroom-bad-store-'));
}

function open(path: string, warnings: string[] = []) {
  return openSqliteStore({
    path,
    lockTimeoutMs: 0,
    clock: new ManualClock(1_700_000_000_000),
    onWarning: (m) => warnings.push(m),
  });
}

const RECORDS =
  'CREATE TABLE records (kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (kind, key))';
const QUEUE =
  'CREATE TABLE queued_requests (id INTEGER PRIMARY KEY, signal TEXT NOT NULL, content_type TEXT NOT NULL, items INTEGER NOT NULL, body BLOB NOT NULL)';

/** SQL that leaves a valid SQLite file whose tables are not those its version says. */
const EDITED: Record<string, string> = {
  'a version and no tables': 'PRAGMA user_version = 2',
  'a negative version': 'PRAGMA user_version = -1',
  'tables with other columns':
    'CREATE TABLE records (a, b, c); CREATE TABLE queued_requests (x); PRAGMA user_version = 2',
  'an extra NOT NULL column': `${RECORDS.replace('value TEXT NOT NULL', 'value TEXT NOT NULL, extra TEXT NOT NULL')}; ${QUEUE}; PRAGMA user_version = 2`,
  'a view for a table': `${RECORDS}; CREATE VIEW queued_requests AS SELECT 1 AS id; PRAGMA user_version = 2`,
};

describe('a store edited by hand', () => {
  for (const [name, sql] of Object.entries(EDITED))
    it(`should move a store with ${name} aside and start with a clean, writable one`, async () => {
      const path = join(dir(), 'state.db');
      const edited = new DatabaseSync(path);
      edited.exec(sql);
      edited.close();
      const warnings: string[] = [];
      const store = await open(path, warnings);
      store.write({ upserts: [{ kind: 'degradation', key: 'a', value: 1 }], deletes: [] });
      store.requests.append({
        signal: 'traces',
        contentType: 'application/x-protobuf',
        items: 1,
        body: new Uint8Array([1]),
      });
      expect(store.read('degradation')).toEqual([{ kind: 'degradation', key: 'a', value: 1 }]);
      store.close();
      expect(warnings).toEqual([
        expect.stringMatching(
          new RegExp(
            `^state store ${path} is unreadable or corrupt \\(.+\\): moved aside to ${path}\\.corrupt-1700000000000, starting with a clean store$`,
          ),
        ),
      ]);
      expect(existsSync(`${path}.corrupt-1700000000000`)).toBe(true);
    });

  it('should move a truncated store aside', async () => {
    const path = join(dir(), 'state.db');
    const store = await open(path);
    store.write({ upserts: [{ kind: 'k', key: 'a', value: 'x'.repeat(20_000) }], deletes: [] });
    store.close();
    writeFileSync(path, readFileSync(path).subarray(0, 5000));
    const warnings: string[] = [];
    (await open(path, warnings)).close();
    expect(warnings).toEqual([expect.stringContaining('is unreadable or corrupt')]);
  });
});

describe('a path that cannot be a store', () => {
  it('should refuse a directory with HEADROOM_ERR_STORE_OPEN, moving and creating nothing', async () => {
    const path = dir();
    writeFileSync(join(path, 'keep'), 'mine');
    const error = await open(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreOpenError);
    expect((error as StoreOpenError).message).toBe(
      `cannot open state store ${path} for writing: it is a directory (storage.path names the store file itself)`,
    );
    expect(readdirSync(path)).toEqual(['keep']);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('should refuse a device such as /dev/null, creating nothing beside it', async () => {
    const before = statSync('/dev/null').ino;
    const error = await open('/dev/null').catch((e: unknown) => e);
    expect((error as StoreOpenError).message).toBe(
      'cannot open state store /dev/null for writing: it is not a regular file',
    );
    expect([statSync('/dev/null').ino, existsSync('/dev/null.lock')]).toEqual([before, false]);
  });

  it('should refuse a place where no directory can be made with HEADROOM_ERR_STORE_OPEN', async () => {
    const file = join(dir(), 'a-file');
    writeFileSync(file, '');
    const error = await open(join(file, 'data', 'state.db')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreOpenError);
    expect((error as StoreOpenError).message).toMatch(/^cannot open state store .+ for writing: E[A-Z]+: /);
  });

  it('should make headroom agent exit 1 with one coded log line, no stack trace', async () => {
    const cwd = dir();
    const config = join(cwd, 'headroom.yaml');
    writeFileSync(
      config,
      `receiver: { port: 0, grpc: { port: 0 } }\napi: { enabled: false }\nexporters: { prometheus: { enabled: false } }\nstorage: { path: ${cwd} }\n`,
    );
    const agent = startCollectorProcess([config], {}, { cwd });
    expect((await agent.exited).code).toBe(1);
    expect(agent.records().map(({ level, code, msg }) => ({ level, code, msg }))).toEqual([
      {
        level: 'error',
        code: 'HEADROOM_ERR_STORE_OPEN',
        msg: `HEADROOM_ERR_STORE_OPEN: cannot open state store ${cwd} for writing: it is a directory (storage.path names the store file itself)`,
      },
    ]);
  });
});
