// The forwarding queue on disk: OtlpForwarder with a real SQLite store in a temp dir and a real
// OTLP sink. A request is in the store before forward() returns, leaves it once delivered or
// dropped, stays there at shutdown, and comes back first, in order, at the next start.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, type StateStore } from '../../../agent/index.ts';
import { parseConfig } from '../../../config/index.ts';
import { OtlpForwarder } from '../../../exporters/otlp/index.ts';
import { openSqliteStore } from '../../../storage/index.ts';
import { migrate } from '../../../storage/schema.ts';
import { SqliteRequestQueue } from '../../../storage/sqlite-queue.ts';
import { OtlpSink, until } from '../../helpers/otlp-sink.ts';
import { otlpJsonTraces } from '../../helpers/spans.ts';

const JSON_TYPE = 'application/json';
const NONE = { queue_full: 0, retries_exhausted: 0, non_retryable: 0, shutdown: 0 };

function otlpConfig(otlp: object) {
  const text = JSON.stringify({ exporters: { otlp: { compression: 'none', ...otlp } } });
  return parseConfig([{ file: 'inline.yaml', text }], {}).exporters.otlp;
}

/** A trace request of `count` spans from service `service` (the sink tells requests apart by it). */
const traces = (service: string, count = 1) => Buffer.from(otlpJsonTraces(service, count, 5));

const tempPath = () => join(mkdtempSync(join(tmpdir(), 'headroom-fwd-')), 'state.db');
const openStore = (path: string) =>
  openSqliteStore({ path, lockTimeoutMs: 0, clock: new ManualClock(0), onWarning: () => {} });

let sink: OtlpSink;
let clock: ManualClock;
const cleanups: (() => unknown)[] = [];
beforeEach(async () => {
  sink = await OtlpSink.start();
  clock = new ManualClock();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await sink.stop();
});

async function forwarderOn(store: StateStore, otlp: object = {}, signal: 'traces' | 'metrics' = 'traces') {
  const forwarder = await OtlpForwarder.create(otlpConfig({ endpoint: sink.endpoint, ...otlp }), signal, {
    store: store.requests,
    clock,
  });
  cleanups.push(async () => {
    const closing = forwarder.shutdown(100);
    await clock.advanceAsync(100);
    await closing;
  });
  return forwarder;
}

/** The services of the spans the sink accepted, in order. */
const servicesAtSink = () => sink.spans.map((span) => span.resource['service.name']);

describe('OtlpForwarder with a store', () => {
  it('should commit a request to the store before forward returns and remove it once delivered', async () => {
    const store = await openStore(tempPath());
    cleanups.push(() => store.close());
    const forwarder = await forwarderOn(store);
    const body = traces('a', 2);
    expect(forwarder.forward(body, JSON_TYPE, 2)).toBe('queued');
    expect(store.requests.list('traces')).toEqual([
      { id: 1, signal: 'traces', contentType: JSON_TYPE, items: 2, body: new Uint8Array(body) },
    ]);
    await until(() => forwarder.stats().sentItems === 2, 5000, 'delivery');
    expect(store.requests.list('traces')).toEqual([]);
    expect(servicesAtSink()).toEqual(['a', 'a']);
  });

  it('should deliver what a previous run kept first, in order, before new requests, once each', async () => {
    const path = tempPath();
    const first = await openStore(path);
    sink.script({ status: 503 });
    const before = await forwarderOn(first);
    before.forward(traces('old-1'), JSON_TYPE, 1);
    before.forward(traces('old-2', 2), JSON_TYPE, 2);
    expect(before.forward(Buffer.from('{}'), JSON_TYPE, 5_000)).toBe('dropped'); // over queue.maxSize
    await until(() => sink.requests.length === 1, 5000, 'first attempt');
    expect(await shutdownWithin(before, 50)).toBe(false);
    expect(before.stats()).toMatchObject({ keptItems: 3, dropped: { ...NONE, queue_full: 5_000 } });
    first.close();

    const second = await openStore(path);
    cleanups.push(() => second.close());
    const after = await forwarderOn(second);
    expect(after.restore()).toEqual({ requests: 2, items: 3, dropped: 0 });
    after.forward(traces('new'), JSON_TYPE, 1);
    await until(() => after.stats().queueSize === 0, 5000, 'delivery');
    expect(servicesAtSink()).toEqual(['old-1', 'old-2', 'old-2', 'new']);
    expect(after.stats()).toMatchObject({ sentItems: 4, sentRequests: 3, dropped: NONE, keptItems: 0 });
    expect(second.requests.list('traces')).toEqual([]);
  });

  it('should send nothing, restored or new, before start() when created paused', async () => {
    const store = await openStore(tempPath());
    cleanups.push(() => store.close());
    store.requests.append({ signal: 'traces', contentType: JSON_TYPE, items: 1, body: traces('old') });
    const forwarder = await OtlpForwarder.create(otlpConfig({ endpoint: sink.endpoint }), 'traces', {
      store: store.requests,
      clock,
      paused: true,
    });
    cleanups.push(() => forwarder.shutdown(0));
    expect(forwarder.restore()).toEqual({ requests: 1, items: 1, dropped: 0 });
    expect(forwarder.forward(traces('new'), JSON_TYPE, 1)).toBe('queued');
    await clock.advanceAsync(60_000);
    expect([sink.requests.length, store.requests.list('traces').length]).toEqual([0, 2]);
    forwarder.start();
    await until(() => forwarder.stats().sentItems === 2, 5000, 'delivery');
    expect(servicesAtSink()).toEqual(['old', 'new']);
  });

  it('should drop restored requests past the bounds (queue_full) and remove them from the store', async () => {
    const store = await openStore(tempPath());
    cleanups.push(() => store.close());
    for (const [service, items] of [
      ['a', 6],
      ['b', 5],
      ['c', 4],
    ] as const)
      store.requests.append({
        signal: 'traces',
        contentType: JSON_TYPE,
        items,
        body: traces(service, items),
      });
    store.requests.append({ signal: 'metrics', contentType: JSON_TYPE, items: 9, body: Buffer.from('{}') });
    const forwarder = await forwarderOn(store, { queue: { maxSize: 10 } });
    expect(forwarder.restore()).toEqual({ requests: 2, items: 10, dropped: 5 });
    await until(() => forwarder.stats().queueSize === 0, 5000, 'delivery');
    expect(servicesAtSink()).toEqual([...Array(6).fill('a'), ...Array(4).fill('c')]);
    expect(forwarder.stats()).toMatchObject({ sentItems: 10, dropped: { ...NONE, queue_full: 5 } });
    // The other signal's requests are its forwarder's business.
    expect(store.requests.list('traces')).toEqual([]);
    expect(store.requests.list('metrics').map((r) => r.items)).toEqual([9]);
  });

  it('should answer unavailable when the store cannot keep a request (disk full), counting nothing', async () => {
    const db = new DatabaseSync(tempPath());
    migrate(db);
    cleanups.push(() => db.close());
    const forwarder = await OtlpForwarder.create(otlpConfig({ endpoint: sink.endpoint }), 'traces', {
      store: new SqliteRequestQueue(db),
      clock,
    });
    cleanups.push(() => forwarder.shutdown(0));
    const pages = (db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count;
    db.exec(`PRAGMA max_page_count = ${pages}`);
    const big = traces('big', 200);
    expect(forwarder.forward(big, JSON_TYPE, 200)).toBe('unavailable');
    expect(forwarder.forward(big, JSON_TYPE, 200)).toBe('unavailable');
    expect(forwarder.stats()).toMatchObject({ queueSize: 0, sentItems: 0, dropped: NONE });
    db.exec('PRAGMA max_page_count = 1073741823'); // room again
    expect(forwarder.forward(big, JSON_TYPE, 200)).toBe('queued');
    await until(() => forwarder.stats().sentItems === 200, 5000, 'delivery');
    expect(forwarder.stats()).toMatchObject({ queueSize: 0, dropped: NONE });
  });

  it('should keep delivering when a delivered request cannot be removed from the store', async () => {
    const db = new DatabaseSync(tempPath());
    migrate(db);
    const forwarder = await OtlpForwarder.create(otlpConfig({ endpoint: sink.endpoint }), 'traces', {
      store: new SqliteRequestQueue(db),
      clock,
    });
    expect(forwarder.forward(traces('a'), JSON_TYPE, 1)).toBe('queued');
    db.close(); // the store is gone before the request is delivered
    await until(() => forwarder.stats().sentItems === 1, 5000, 'delivery');
    expect(forwarder.forward(traces('b'), JSON_TYPE, 1)).toBe('unavailable');
    expect(forwarder.restore()).toEqual({ requests: 0, items: 0, dropped: 0 });
    expect(await forwarder.shutdown(0)).toBe(true);
    expect(servicesAtSink()).toEqual(['a']);
  });
});

/** Shuts `forwarder` down with a bound of `boundMs` on the clock. */
async function shutdownWithin(forwarder: OtlpForwarder, boundMs: number): Promise<boolean> {
  const closing = forwarder.shutdown(boundMs);
  await clock.advanceAsync(boundMs);
  return closing;
}
