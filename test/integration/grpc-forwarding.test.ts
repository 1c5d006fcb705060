// Collector-mode forwarding over OTLP/gRPC end to end: `headroom agent` (a child process, or the
// in-process collector) with `exporters.otlp.protocol: grpc` receives OTLP/HTTP from the official
// exporters (JSON and protobuf, each in its own process) or from raw requests, and forwards to a
// real @grpc/grpc-js server: protobuf byte for byte, JSON converted to the official protobuf
// message; with the backend down the queue in the store holds protobuf through a restart.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeFull, richSpans, serializeSpans } from '../exporters/otlp/otlp-full-fixtures.ts';
import {
  type CollectorProcess,
  killCollectors,
  receiverUrl,
  startCollectorProcess,
  waitForCount,
} from '../helpers/collector-process.ts';
import { OtlpGrpcSink } from '../helpers/otlp-grpc-sink.ts';
import { OtlpSink, until } from '../helpers/otlp-sink.ts';

const CLIENT = join(import.meta.dirname, '..', 'helpers', 'otlp-client.ts');
const SPANS = 30;

const sinks: (OtlpGrpcSink | OtlpSink)[] = [];
afterEach(async () => {
  await killCollectors();
  for (const sink of sinks.splice(0)) await sink.stop();
});

async function grpcSink(): Promise<OtlpGrpcSink> {
  const sink = await OtlpGrpcSink.start();
  sinks.push(sink);
  return sink;
}

/**
 * A config forwarding over gRPC to `endpoint` (or, with `otlp`, as that says), with a store in a
 * fresh temp dir; returns both paths.
 */
function configFor(
  endpoint: string,
  otlp = `protocol: grpc, compression: gzip, endpoint: "${endpoint}"`,
): {
  config: string;
  store: string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-grpc-forward-'));
  const store = join(dir, 'data', 'state.db');
  const config = join(dir, 'headroom.yaml');
  writeFileSync(
    config,
    [
      'receiver: { port: 0, grpc: { port: 0 } }',
      'api: { enabled: false }',
      'shutdown: { timeout: 1s }',
      `exporters: { prometheus: { enabled: false }, otlp: { ${otlp} } }`,
      `storage: { path: ${store}, lockTimeout: 5s }`,
    ].join('\n'),
  );
  return { config, store };
}

/** Runs the official exporter client in its own Node process; resolves with what it printed. */
function runClient(args: string[]): Promise<{ exported: number; failed: number; calls: number }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLIENT, ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`otlp-client failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

async function post(agent: CollectorProcess, body: Uint8Array, contentType: string): Promise<number> {
  const reply = await fetch(`${await receiverUrl(agent)}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  await reply.arrayBuffer();
  return reply.status;
}

type Decoded = {
  resource_spans?: {
    resource?: { attributes?: { key: string; value: { string_value?: string } }[] };
    scope_spans?: { spans?: { name: string }[] }[];
  }[];
};

/** [service.name, span name] of every span the sink accepted, in order. */
function spansAt(sink: OtlpGrpcSink): string[][] {
  return sink.accepted('traces').flatMap((body) =>
    ((decodeFull('traces', body) as Decoded).resource_spans ?? []).flatMap((resource) => {
      const service = resource.resource?.attributes?.find((a) => a.key === 'service.name')?.value
        .string_value;
      return (resource.scope_spans ?? []).flatMap((scope) =>
        (scope.spans ?? []).map((span) => [service ?? '', span.name]),
      );
    }),
  );
}

/** Requests of the store's forwarding queue: [signal, content type, items]. */
function storedRequests(store: string): unknown[] {
  const db = new DatabaseSync(store, { readOnly: true });
  try {
    return db.prepare('SELECT signal, content_type, items, body FROM queued_requests ORDER BY id').all();
  } finally {
    db.close();
  }
}

describe('headroom agent forwarding over OTLP/gRPC', () => {
  it('should forward what the official OTLP/HTTP exporters (JSON and protobuf) send, every span, to a gRPC backend', async () => {
    const sink = await grpcSink();
    const agent = startCollectorProcess([configFor(sink.endpoint).config]);
    const url = await receiverUrl(agent);
    expect(await runClient([url, 'checkout-json', 'http', String(SPANS), '20', 'none'])).toEqual({
      exported: SPANS,
      failed: 0,
      calls: 3,
    });
    expect(await runClient([url, 'checkout-proto', 'proto', String(SPANS), '20', 'gzip'])).toEqual({
      exported: SPANS,
      failed: 0,
      calls: 3,
    });
    await until(() => spansAt(sink).length === 2 * SPANS, 10_000, 'every span at the gRPC backend');
    expect(spansAt(sink)).toEqual([
      ...Array(SPANS).fill(['checkout-json', 'quote']),
      ...Array(SPANS).fill(['checkout-proto', 'quote']),
    ]);
    // BatchSpanProcessor with maxExportBatchSize 10: three requests each, all TraceService/Export.
    expect(sink.calls.map((call) => [call.signal, call.reply])).toEqual(Array(6).fill(['traces', 0]));
  }, 40_000);

  it('should pass protobuf through byte for byte and send JSON as the official protobuf message', async () => {
    const sink = await grpcSink();
    const agent = startCollectorProcess([configFor(sink.endpoint).config]);
    const official = serializeSpans(richSpans());
    expect(await post(agent, official.protobuf, 'application/x-protobuf')).toBe(200);
    expect(await post(agent, official.json, 'application/json')).toBe(200);
    await until(() => sink.accepted('traces').length === 2, 10_000, 'both requests at the gRPC backend');
    const [passed, converted] = sink.accepted('traces');
    expect(Buffer.compare(passed ?? Buffer.alloc(0), official.protobuf)).toBe(0);
    expect(decodeFull('traces', converted ?? Buffer.alloc(0))).toEqual(
      decodeFull('traces', official.protobuf),
    );
  }, 30_000);

  it('should keep JSON it could not deliver in the store as protobuf and deliver it after a restart', async () => {
    const sink = await grpcSink();
    await sink.stop(); // the backend is down
    const { config, store } = configFor(sink.endpoint);
    const official = serializeSpans(richSpans());
    const first = startCollectorProcess([config]);
    expect(await post(first, official.json, 'application/json')).toBe(200);
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    await waitForCount(first, 'stopped (0 spans dropped, 2 kept in the store for the next start)', 1);
    const [stored] = storedRequests(store) as { content_type: string; items: number; body: Uint8Array }[];
    expect([stored?.content_type, stored?.items]).toEqual(['application/x-protobuf', 2]);
    expect(decodeFull('traces', stored?.body ?? new Uint8Array())).toEqual(
      decodeFull('traces', official.protobuf),
    );

    await sink.restart();
    const second = startCollectorProcess([config]);
    await second.waitFor((r) => r.msg.startsWith('forwarding queue restored'), 'restored');
    await until(() => sink.accepted('traces').length === 1, 10_000, 'the kept request at the gRPC backend');
    expect(sink.accepted('traces')).toEqual([Buffer.from(stored?.body ?? [])]);
    await until(() => storedRequests(store).length === 0, 5000, 'the store emptied');
  }, 40_000);
});

describe('headroom agent forwarding over OTLP/gRPC to another headroom agent', () => {
  it("should have its converted JSON and its passed-through protobuf read by Headroom's own gRPC receiver", async () => {
    const sink = await OtlpSink.start();
    sinks.push(sink);
    const downstream = startCollectorProcess([
      configFor('', `compression: none, endpoint: "${sink.endpoint}"`).config,
    ]);
    const grpcAddress = await grpcAddressOf(downstream);
    const upstream = startCollectorProcess([configFor(`http://${grpcAddress}`).config]);
    const url = await receiverUrl(upstream);
    expect(await runClient([url, 'checkout-json', 'http', String(SPANS), '20', 'none'])).toEqual({
      exported: SPANS,
      failed: 0,
      calls: 3,
    });
    expect(await runClient([url, 'checkout-proto', 'proto', String(SPANS), '20', 'gzip'])).toEqual({
      exported: SPANS,
      failed: 0,
      calls: 3,
    });
    // Upstream -> gRPC -> downstream's receiver (its decoder, its agent) -> OTLP/HTTP -> the sink.
    await until(() => sink.spans.length === 2 * SPANS, 10_000, 'every span through both agents');
    expect(sink.spans.map((span) => [span.resource['service.name'], span.name, span.attributes])).toEqual([
      ...Array(SPANS).fill(['checkout-json', 'quote', QUOTE_ATTRIBUTES]),
      ...Array(SPANS).fill(['checkout-proto', 'quote', QUOTE_ATTRIBUTES]),
    ]);
  }, 40_000);
});

const QUOTE_ATTRIBUTES = { 'headroom.budget.context': 'emergency', 'headroom.operation': 'quote' };

/** The OTLP/gRPC address (`host:port`) an agent logged at start. */
async function grpcAddressOf(agent: CollectorProcess): Promise<string> {
  const record = await agent.waitFor((r) => r.msg.startsWith('receiving OTLP/gRPC on '), 'receiving gRPC');
  return /on (\S+)/.exec(record.msg)?.[1] ?? '';
}
