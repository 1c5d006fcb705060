// The forwarding queue on disk end to end: `headroom agent` in a child process with a store and
// its OTLP backend down accepts spans (200), is killed with SIGKILL, and restarts on the same store
// with the backend up: every span accepted before the kill reaches the real OTLP sink exactly once,
// before the spans sent after the restart.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../agent/index.ts';
import { ListenError } from '../../errors.ts';
import { openSqliteStore } from '../../storage/index.ts';
import { startTestCollector } from '../helpers/collector.ts';
import {
  type CollectorProcess,
  killCollectors,
  receiverUrl,
  startCollectorProcess,
  waitForCount,
} from '../helpers/collector-process.ts';
import { OtlpSink, until } from '../helpers/otlp-sink.ts';

afterEach(killCollectors);

const REQUESTS = 20;
const SPANS_PER_REQUEST = 5;

/** Request `k`: SPANS_PER_REQUEST spans named `op-<k>`, span ids unique across requests. */
function request(k: number): string {
  const endNs = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: SPANS_PER_REQUEST }, (_, i) => ({
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: (0x100000 + k * 100 + i).toString(16).padStart(16, '0'),
    name: `op-${k}`,
    kind: 2,
    startTimeUnixNano: String(endNs - 5_000_000n),
    endTimeUnixNano: String(endNs),
  }));
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
        scopeSpans: [{ scope: { name: 'test' }, spans }],
      },
    ],
  });
}

async function post(agent: CollectorProcess, k: number): Promise<number> {
  const reply = await fetch(`${await receiverUrl(agent)}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: request(k),
  });
  await reply.arrayBuffer();
  return reply.status;
}

/** A config with a store in a fresh temp dir, forwarding to `endpoint`; returns both paths. */
function configFor(endpoint: string, extra = ''): { config: string; store: string } {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-queue-'));
  const store = join(dir, 'data', 'state.db');
  const config = join(dir, 'headroom.yaml');
  writeFileSync(
    config,
    [
      'receiver: { port: 0, grpc: { port: 0 } }',
      'api: { enabled: false }',
      `exporters: { prometheus: { enabled: false }, otlp: { compression: none, endpoint: "${endpoint}" } }`,
      `storage: { path: ${store}, lockTimeout: 5s }`,
      extra,
    ].join('\n'),
  );
  return { config, store };
}

/** [name, span id] of every span of requests `from` to `to` (inclusive), in order. */
function spansOf(from: number, to: number): string[][] {
  return Array.from({ length: to - from + 1 }, (_, j) =>
    Array.from({ length: SPANS_PER_REQUEST }, (_, i) => [
      `op-${from + j}`,
      (0x100000 + (from + j) * 100 + i).toString(16).padStart(16, '0'),
    ]),
  ).flat();
}

/** How many requests the store's forwarding queue holds (read-only, beside a running writer or not). */
function held(store: string): unknown {
  const db = new DatabaseSync(store, { readOnly: true });
  try {
    return db.prepare('SELECT COUNT(*) AS held FROM queued_requests').get();
  } finally {
    db.close();
  }
}

describe('headroom agent: the forwarding queue in the store', () => {
  it('should deliver every span accepted before a kill -9 exactly once after the restart, in order', async () => {
    const sink = await OtlpSink.start();
    await sink.stop(); // the backend is down
    const { config, store } = configFor(sink.endpoint);
    const first = startCollectorProcess([config]);
    const accepted: number[] = [];
    for (let k = 0; k < REQUESTS; k++) accepted.push(await post(first, k));
    expect(accepted).toEqual(Array(REQUESTS).fill(200));
    first.child.kill('SIGKILL');
    expect((await first.exited).code).toBeNull();

    await sink.restart();
    const second = startCollectorProcess([config]);
    const restored = await second.waitFor((r) => r.msg.startsWith('forwarding queue restored'), 'restored');
    expect(restored.msg).toBe(
      `forwarding queue restored from ${store}: ${REQUESTS * SPANS_PER_REQUEST} spans, 0 metric data points`,
    );
    expect(await post(second, REQUESTS)).toBe(200);
    const total = (REQUESTS + 1) * SPANS_PER_REQUEST;
    await until(() => sink.spans.length >= total, 15_000, 'every span at the sink');
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
    await waitForCount(second, 'stopped (0 spans dropped)', 1);

    // Exactly once, in the order accepted: the restored requests first, then the new one.
    expect(sink.spans.map((span) => [span.name, span.spanId])).toEqual(spansOf(0, REQUESTS));
    expect(held(store)).toEqual({ held: 0 });
    await sink.stop();
  }, 40_000);

  it('should keep what a shutdown could not deliver in the store, say so, and deliver it at the next start', async () => {
    const sink = await OtlpSink.start();
    await sink.stop();
    const { config } = configFor(sink.endpoint, 'shutdown: { timeout: 1s }');
    const first = startCollectorProcess([config]);
    for (let k = 0; k < 3; k++) expect(await post(first, k)).toBe(200);
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    expect(first.records().at(-1)).toMatchObject({
      msg: `stopped (0 spans dropped, ${3 * SPANS_PER_REQUEST} kept in the store for the next start)`,
      spansDropped: 0,
      spansKept: 3 * SPANS_PER_REQUEST,
      metricPointsKept: 0,
    });

    await sink.restart();
    const second = startCollectorProcess([config]);
    await until(() => sink.spans.length >= 3 * SPANS_PER_REQUEST, 15_000, 'the kept spans at the sink');
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
    expect(sink.spans.map((span) => [span.name, span.spanId])).toEqual(spansOf(0, 2));
    await sink.stop();
  }, 40_000);

  it('should send nothing of the stored queue when a start fails (a port taken), and all of it once at the next', async () => {
    const sink = await OtlpSink.start();
    const { store } = configFor(sink.endpoint);
    const prepared = await openSqliteStore({
      path: store,
      lockTimeoutMs: 0,
      clock: new ManualClock(),
      onWarning: () => {},
    });
    prepared.requests.append({
      signal: 'traces',
      contentType: 'application/json',
      items: 5,
      body: Buffer.from(request(7)),
    });
    prepared.close();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const yaml = (port: number) => [
      `receiver: { port: ${port}, grpc: { port: 0 } }`,
      'api: { enabled: false }',
      `exporters: { prometheus: { enabled: false }, otlp: { compression: none, endpoint: "${sink.endpoint}" } }`,
      `storage: { path: ${store} }`,
    ];
    const failed = await startTestCollector(yaml((taken.address() as AddressInfo).port)).catch(
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(ListenError);
    taken.close();
    expect(held(store)).toEqual({ held: 1 });

    const { collector } = await startTestCollector(yaml(0));
    await until(() => sink.spans.length >= SPANS_PER_REQUEST, 10_000, 'the stored spans at the sink');
    await collector.shutdown();
    expect([sink.requests.length, held(store)]).toEqual([1, { held: 0 }]);
    expect(sink.spans.map((span) => [span.name, span.spanId])).toEqual(spansOf(7, 7));
    await sink.stop();
  });
});
