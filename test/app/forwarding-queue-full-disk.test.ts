// A full disk under the forwarding queue (PRAGMA max_page_count on the store's writing connection,
// a real SQLite file): the receiver answers 503 with Retry-After instead of accepting what it
// cannot keep, records nothing of the refused request, counts the refusal, and accepts the same
// request once there is room again.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { refusable } from '../../app/forwarders.ts';
import { parseConfig } from '../../config/index.ts';
import { OtlpForwarder } from '../../exporters/otlp/index.ts';
import { migrate } from '../../storage/schema.ts';
import { SqliteRequestQueue } from '../../storage/sqlite-queue.ts';
import { metricsProtobuf, sampleMetrics } from '../collector/receiver/metrics-fixtures.ts';
import { rawRequest } from '../collector/receiver/otlp-fixtures.ts';
import { post, startTestReceiver, statusOf } from '../collector/receiver/receiver-harness.ts';
import { OtlpSink } from '../helpers/otlp-sink.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const UNAVAILABLE = 14;

/** `count` emergency spans of service `service`, ending 10 ms before `nowMs`. */
function spans(nowMs: number, service: string, count: number): Uint8Array {
  const span = (i: number) => ({
    name: 'quote',
    spanId: Uint8Array.from([1, 2, 3, 4, 5, 6, i >> 8, (i & 0xff) + 1]),
    startMs: nowMs - 40,
    endMs: nowMs - 10,
    attributes: { 'headroom.budget.context': 'emergency' },
  });
  return rawRequest([{ service, spans: Array.from({ length: count }, (_, i) => span(i)) }]);
}

async function setUp() {
  const sink = await OtlpSink.start();
  await sink.stop(); // the backend is down: what is accepted stays queued
  const db = new DatabaseSync(join(mkdtempSync(join(tmpdir(), 'headroom-full-')), 'state.db'));
  db.exec('PRAGMA journal_mode = WAL');
  migrate(db);
  const otlp = parseConfig(
    [{ file: 'x.yaml', text: `exporters: { otlp: { endpoint: "${sink.endpoint}" } }` }],
    {},
  ).exporters.otlp;
  const queue = new SqliteRequestQueue(db);
  const traces = await OtlpForwarder.create(otlp, 'traces', { store: queue });
  const metrics = await OtlpForwarder.create(otlp, 'metrics', { store: queue });
  const started = await startTestReceiver(
    {},
    {
      onTraces: (body, type, items) => refusable(traces.forward(body, type, items)),
      onMetrics: (body, type, items) => refusable(metrics.forward(body, type, items)),
    },
  );
  cleanups.push(
    () => db.close(),
    () => traces.shutdown(0),
    () => metrics.shutdown(0),
    () => started.receiver.close(),
  );
  /** Leaves `extraPages` pages of room in the store; undefined: as much as SQLite allows. */
  const room = (extraPages?: number) => {
    const { page_count } = db.prepare('PRAGMA page_count').get() as { page_count: number };
    db.exec(`PRAGMA max_page_count = ${extraPages === undefined ? 1073741823 : page_count + extraPages}`);
  };
  return { ...started, queue, traces, metrics, room };
}

describe('collector-mode forwarding on a full disk', () => {
  it('should answer 503 with Retry-After, record and count nothing of the request, then accept it once there is room', async () => {
    const { receiver, agent, clock, queue, traces, room } = await setUp();
    expect((await post(receiver.url, 'application/x-protobuf', spans(clock.now(), 'small', 1))).status).toBe(
      200,
    );
    room(1);
    const big = spans(clock.now(), 'big', 400);
    const refused = await post(receiver.url, 'application/x-protobuf', big);
    expect([refused.status, refused.headers['retry-after'], statusOf(refused)]).toEqual([
      503,
      '1',
      { code: UNAVAILABLE, message: 'the collector cannot store the request now: retry later' },
    ]);
    expect(agent.registry.list().map((s) => s.service)).toEqual(['small']);
    expect(receiver.stats()).toMatchObject({ requests: 2, spansReceived: 1 });
    expect(receiver.stats().refused.storage).toBe(1);
    expect(traces.stats()).toMatchObject({ queueSize: 1, dropped: { queue_full: 0, shutdown: 0 } });
    expect(queue.list('traces').map((r) => r.items)).toEqual([1]);

    room(); // the disk has room again: the sender's retry is accepted
    expect((await post(receiver.url, 'application/x-protobuf', big)).status).toBe(200);
    expect(
      agent.registry
        .list()
        .map((s) => s.service)
        .sort(),
    ).toEqual(['big', 'small']);
    expect(receiver.stats()).toMatchObject({ requests: 3, spansReceived: 401 });
    expect(queue.list('traces').map((r) => r.items)).toEqual([1, 400]);
  });

  it('should refuse metrics the same way, without counting their data points', async () => {
    const { receiver, metrics, queue, room } = await setUp();
    room(0);
    // Fill what room the last page still has (another signal's requests: not this forwarder's).
    const filler = { signal: 'filler', contentType: 'x', items: 1, body: new Uint8Array(64) };
    expect(() => {
      for (let i = 0; i < 1000; i++) queue.append(filler);
    }).toThrow(/full/);
    const body = metricsProtobuf(await sampleMetrics());
    const refused = await post(receiver.url, 'application/x-protobuf', body, '/v1/metrics');
    expect([refused.status, refused.headers['retry-after']]).toEqual([503, '1']);
    expect(receiver.stats()).toMatchObject({ dataPointsReceived: 0 });
    expect(receiver.stats().refused.storage).toBe(1);
    expect(metrics.stats().queueSize).toBe(0);
  });
});
