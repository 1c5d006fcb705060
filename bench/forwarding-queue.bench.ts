// The forwarding queue on disk (collector mode with a store): what the synchronous commit of each
// accepted OTLP request costs the receiver, on a real SQLite store in a temp dir (WAL,
// synchronous = NORMAL, as the agent opens it):
//   node bench/forwarding-queue.bench.ts [--json] [--rounds 15] [--warmup 3] [--ops 200]
// Each op appends one request (committed before the receiver answers) and removes it (once it is
// delivered), WAL checkpoints included as they come. The baseline is what the receiver spends on
// the same request already: decoding a batch of 100 HTTP server spans (the wire decoder).
// Times are per request: wall clock (what the request waits; includes the write() to the OS) and
// main-thread CPU. Nothing is fsynced per request: a kill -9 loses nothing, a power cut may lose
// the last commits (see README, "Forwarding queue").
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '../agent/index.ts';
import { decodeTracesWire } from '../collector/receiver/wire-trace-decoder.ts';
import { openSqliteStore } from '../storage/index.ts';
import { httpBatch, protobufPayload } from '../test/collector/receiver/otlp-fixtures.ts';
import { type BenchCase, formatTable, measureRounds, median, quantile } from './harness.ts';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '3' },
    ops: { type: 'string', default: '200' },
  },
});
const options = {
  rounds: Number(args.rounds),
  warmupRounds: Number(args.warmup),
  opsPerRound: Number(args.ops),
};

const dir = mkdtempSync(join(tmpdir(), 'headroom-queue-bench-'));
const store = await openSqliteStore({
  path: join(dir, 'state.db'),
  lockTimeoutMs: 1000,
  clock: systemClock,
  onWarning: (message) => console.error(message),
});

const batch = protobufPayload(httpBatch(100, Date.now(), { service: 'svc', namespace: 'shop' }));
const sizes: readonly [string, Uint8Array][] = [
  ['1 KiB', new Uint8Array(1024).fill(7)],
  [`100-span batch (${(batch.byteLength / 1024).toFixed(1)} KiB)`, batch],
  ['1 MiB', new Uint8Array(1024 * 1024).fill(7)],
];

const commitCase = ([label, body]: [string, Uint8Array]): BenchCase => ({
  name: `append + remove, ${label}`,
  round: (ops) => {
    const ids: number[] = [];
    for (let i = 0; i < ops; i++)
      ids.push(
        store.requests.append({ signal: 'traces', contentType: 'application/x-protobuf', items: 100, body }),
      );
    for (const id of ids) store.requests.remove([id]);
  },
});
const appendOnly: BenchCase = {
  name: `append only, ${sizes[1]?.[0]}`,
  round: (ops) => {
    for (let i = 0; i < ops; i++)
      store.requests.append({
        signal: 'metrics',
        contentType: 'application/x-protobuf',
        items: 100,
        body: batch,
      });
  },
};
const decode: BenchCase = {
  name: 'baseline: decode the 100-span batch',
  round: (ops) => {
    for (let i = 0; i < ops; i++) decodeTracesWire(batch);
  },
};

const cases = [decode, ...sizes.map(commitCase), appendOnly];
const times = await measureRounds(cases, options);
store.close();
rmSync(dir, { recursive: true, force: true });

const us = (ns: number) => (ns / 1000).toFixed(1);
const rows = cases.map((c, i) => ({
  name: c.name,
  wallUs: median(times.wallNs[i] ?? []) / 1000,
  wallP90Us: quantile(times.wallNs[i] ?? [], 0.9) / 1000,
  cpuUs: median(times.cpuNs[i] ?? []) / 1000,
}));
if (args.json) console.log(JSON.stringify({ options, rows }, null, 2));
else
  console.log(
    formatTable(
      ['per request', 'wall µs (median)', 'wall µs (p90 round)', 'CPU µs (median)'],
      rows.map((r) => [r.name, us(r.wallUs * 1000), us(r.wallP90Us * 1000), us(r.cpuUs * 1000)]),
    ),
  );
