// Forwarding OTLP/JSON over OTLP/gRPC: what converting one accepted request to protobuf costs
// (exporters/otlp/otlp-json-converter.ts, once per request, before it is queued):
//   node bench/json-to-protobuf.bench.ts [--json] [--rounds 15] [--warmup 3] [--ops 50]
// The request is a batch of 100 HTTP server spans as the official JSON serializer writes it; the
// baseline is what the receiver spends on the same request already (its JSON decoder). Protobuf
// requests are not converted: they pass through as received.
import { parseArgs } from 'node:util';
import { decodeTracesJson } from '../collector/receiver/json-trace-decoder.ts';
import { OtlpJsonConverter } from '../exporters/otlp/otlp-json-converter.ts';
import { httpBatch, jsonPayload } from '../test/collector/receiver/otlp-fixtures.ts';
import { type BenchCase, formatTable, measureRounds, median, quantile } from './harness.ts';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '3' },
    ops: { type: 'string', default: '50' },
  },
});
const options = {
  rounds: Number(args.rounds),
  warmupRounds: Number(args.warmup),
  opsPerRound: Number(args.ops),
};

const batch = jsonPayload(httpBatch(100, Date.now(), { service: 'svc', namespace: 'shop' }));
const converter = new OtlpJsonConverter('traces');
const converted = converter.convert(batch);
if (!converted.ok) throw new Error(`the batch does not convert: ${converted.reason}`);
const label = `100-span batch (JSON ${(batch.byteLength / 1024).toFixed(1)} KiB -> protobuf ${(converted.body.byteLength / 1024).toFixed(1)} KiB)`;

const cases: BenchCase[] = [
  {
    name: 'baseline: the receiver decodes the JSON batch',
    round: (ops) => {
      for (let i = 0; i < ops; i++) decodeTracesJson(batch);
    },
  },
  {
    name: `convert to protobuf, ${label}`,
    round: (ops) => {
      for (let i = 0; i < ops; i++) converter.convert(batch);
    },
  },
];
const times = await measureRounds(cases, options);

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
