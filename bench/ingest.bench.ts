// Collector-mode ingest: cost of decoding OTLP trace requests, and spans per second per core
// end to end (decode + classify + record), in process and through the real receiver, in one run:
//   node bench/ingest.bench.ts [--json] [--rounds 15] [--warmup 3] [--ops 400] [--concurrency 8]
// (1-2 min; several on a loaded machine: the receiver rows wait for their client thread)
// Payloads: batches of 100 HTTP server spans (10 attributes and one event each) from a real
// TracerProvider, serialized by the official @opentelemetry/otlp-transformer serializers.
// The baseline is option (a), protobufjs with the OTLP .proto subset
// (test/collector/receiver/protobufjs-trace-decoder.ts); option (b) is the hand-written wire
// decoder the receiver uses (collector/receiver/wire-trace-decoder.ts). Times are main-thread
// CPU time (process.threadCpuUsage), so waiting for a core on a shared machine does not count;
// ratios are medians of per-round ratios. The end-to-end cases classify half the spans by their
// headroom.* attributes and half by a YAML rule, and record them into an Agent. The receiver rows
// (bench/ingest-receiver.ts) send the same bodies from a worker thread to the real receiver on
// this thread, over OTLP/HTTP and over OTLP/gRPC, `--concurrency` requests in flight: gRPC PASSes
// at >= 0.8x the HTTP row's spans/s per core (receiving thread's CPU).
import { parseArgs } from 'node:util';
import { Agent, ManualClock, RuleMatcher } from '../agent/index.ts';
import { decodeTracesJson } from '../collector/receiver/json-trace-decoder.ts';
import { otlpType } from '../collector/receiver/otlp-proto-schema.ts';
import { SpanIngest } from '../collector/receiver/span-ingest.ts';
import type { TraceDecoder } from '../collector/receiver/types.ts';
import { decodeTracesWire } from '../collector/receiver/wire-trace-decoder.ts';
import { ServiceDirectory } from '../collector/service-directory.ts';
import { parseConfig } from '../config/index.ts';
import { httpBatch, jsonPayload, protobufPayload } from '../test/collector/receiver/otlp-fixtures.ts';
import { decodeTracesProtobufjs } from '../test/collector/receiver/protobufjs-trace-decoder.ts';
import { type BenchCase, formatTable, measureRounds, median, pairedRatios, quantile } from './harness.ts';
import { GRPC_ROW, HTTP_ROW, receiverCases } from './ingest-receiver.ts';

const SPANS_PER_BATCH = 100;
const DISTINCT_BATCHES = 16;
const BASELINE = 'decode (a) protobufjs';
/** gRPC's spans/s per core at least this share of HTTP's (issue 13). */
const GRPC_MIN_RATIO = 0.8;

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '3' },
    ops: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '8' },
  },
});
const options = {
  rounds: Number(args.rounds),
  warmupRounds: Number(args.warmup),
  opsPerRound: Number(args.ops),
};

const nowMs = Date.now();
const batches = Array.from({ length: DISTINCT_BATCHES }, (_, i) =>
  httpBatch(SPANS_PER_BATCH, nowMs - i * 10, { service: `svc-${i % 4}`, namespace: 'shop' }),
);
const protobufBodies = batches.map(protobufPayload);
const jsonBodies = batches.map(jsonPayload);
const averageBytes = (bodies: Uint8Array[]): number =>
  bodies.reduce((sum, b) => sum + b.length, 0) / bodies.length;

// Half the spans carry headroom.budget.context; a rule classifies the other half.
const config = parseConfig(
  [
    {
      file: 'bench.yaml',
      text:
        'receiver: { port: 0, grpc: { port: 0 } }\n' +
        'rules:\n  - match: { kind: server, spanNamePattern: "^GET /api/" }\n    context: routine\n',
    },
  ],
  {},
);
const agent = new Agent({ config, clock: new ManualClock(nowMs) });
const rules = new RuleMatcher(config.rules);
const directory = new ServiceDirectory();
const ingest = new SpanIngest({ agent, rules, directory });
const receiver = await receiverCases({
  agent,
  rules,
  directory,
  config: config.receiver,
  bodies: protobufBodies,
  concurrency: Number(args.concurrency),
});
const requestType = otlpType('ExportTraceServiceRequest');
let sink = 0; // consumed at the end so no loop can be optimised away

function decodeCase(name: string, decode: TraceDecoder, bodies: Uint8Array[]): BenchCase {
  return {
    name,
    round: (ops) => {
      for (let i = 0; i < ops; i++) {
        const result = decode(bodies[i % DISTINCT_BATCHES]!);
        if (result.ok) sink += result.value.spanCount;
      }
    },
  };
}

function endToEndCase(name: string, decode: TraceDecoder): BenchCase {
  return {
    name,
    round: (ops) => {
      for (let i = 0; i < ops; i++) {
        const result = decode(protobufBodies[i % DISTINCT_BATCHES]!);
        if (result.ok) sink += ingest.ingest(result.value).accepted;
      }
    },
  };
}

const cases: BenchCase[] = [
  decodeCase(BASELINE, decodeTracesProtobufjs, protobufBodies),
  decodeCase('decode (b) wire', decodeTracesWire, protobufBodies),
  {
    name: 'protobufjs Type.decode only',
    round: (ops) => {
      for (let i = 0; i < ops; i++) sink += requestType.decode(protobufBodies[i % DISTINCT_BATCHES]!) ? 1 : 0;
    },
  },
  decodeCase('decode JSON', decodeTracesJson, jsonBodies),
  endToEndCase('e2e (a) protobufjs', decodeTracesProtobufjs),
  endToEndCase('e2e (b) wire', decodeTracesWire),
  receiver.http,
  receiver.grpc,
];

const startedMs = performance.now();
const { cpuNs } = await measureRounds(cases, options);
await receiver.close();
const elapsedS = (performance.now() - startedMs) / 1000;
const perSpan = cpuNs.map((rounds) => rounds.map((nsPerBatch) => nsPerBatch / SPANS_PER_BATCH));
const byName = new Map(cases.map((c, i) => [c.name, perSpan[i]!]));

function ratio(a: string, b: string) {
  const each = pairedRatios(byName.get(a)!, byName.get(b)!);
  return { median: median(each), p25: quantile(each, 0.25), p75: quantile(each, 0.75) };
}
const wireVsProtobufjs = ratio('decode (b) wire', BASELINE);
const e2eWireVsProtobufjs = ratio('e2e (b) wire', 'e2e (a) protobufjs');
const spansPerSecondPerCore = (name: string): number => 1e9 / median(byName.get(name)!);
// Spans/s per core of gRPC over HTTP, per round: HTTP's CPU per span over gRPC's.
const grpcVsHttp = ratio(HTTP_ROW, GRPC_ROW);
const failures = Object.entries(receiver.failures).map(([status, count]) => `${count}x ${status}`);
const pass = grpcVsHttp.median >= GRPC_MIN_RATIO && failures.length === 0;
if (!pass) process.exitCode = 1;

if (args.json) {
  const results = cases.map((c) => ({
    case: c.name,
    nsPerSpan: median(byName.get(c.name)!),
    vsBaseline: ratio(c.name, BASELINE),
  }));
  const endToEnd = {
    protobufjs: spansPerSecondPerCore('e2e (a) protobufjs'),
    wire: spansPerSecondPerCore('e2e (b) wire'),
    receiverHttp: spansPerSecondPerCore(HTTP_ROW),
    receiverGrpc: spansPerSecondPerCore(GRPC_ROW),
  };
  const receiverRows = { concurrency: Number(args.concurrency), grpcVsHttp, failures, pass };
  console.log(
    JSON.stringify(
      {
        node: process.version,
        ...options,
        elapsedS,
        results,
        wireVsProtobufjs,
        e2eWireVsProtobufjs,
        endToEnd,
        receiverRows,
      },
      null,
      2,
    ),
  );
} else {
  const rows = cases.map((c) => {
    const samples = byName.get(c.name)!;
    const r = ratio(c.name, BASELINE);
    return [
      c.name,
      median(samples).toFixed(0),
      `${Math.min(...samples).toFixed(0)}-${Math.max(...samples).toFixed(0)}`,
      `${r.median.toFixed(2)}x (${r.p25.toFixed(2)}-${r.p75.toFixed(2)})`,
      Math.round(1e9 / median(samples)).toLocaleString('en-US'),
    ];
  });
  console.log(
    `Node ${process.version}, ${options.opsPerRound} batches of ${SPANS_PER_BATCH} spans per round, median of ` +
      `${options.rounds} interleaved rounds (+${options.warmupRounds} warm-up), ${elapsedS.toFixed(1)} s; ` +
      `bodies: protobuf ${averageBytes(protobufBodies).toFixed(0)} B, JSON ${averageBytes(jsonBodies).toFixed(0)} B\n`,
  );
  console.log(formatTable(['case', 'CPU ns/span', 'min-max', `vs ${BASELINE} (IQR)`, 'spans/s/core'], rows));
  const pct = (r: { median: number }): string => `${((1 - r.median) * 100).toFixed(0)} %`;
  console.log(
    `\nwire decoder (b) vs protobufjs (a): ${wireVsProtobufjs.median.toFixed(2)}x (saves ${pct(wireVsProtobufjs)})`,
  );
  console.log(
    `end to end (b) vs (a): ${e2eWireVsProtobufjs.median.toFixed(2)}x (saves ${pct(e2eWireVsProtobufjs)})`,
  );
  console.log(
    `end to end, spans/s per core: (a) ${Math.round(spansPerSecondPerCore('e2e (a) protobufjs')).toLocaleString('en-US')}, ` +
      `(b) ${Math.round(spansPerSecondPerCore('e2e (b) wire')).toLocaleString('en-US')}`,
  );
  const perCore = (name: string): string => Math.round(spansPerSecondPerCore(name)).toLocaleString('en-US');
  console.log(
    `receiver, spans/s per core of the receiving thread (${args.concurrency} requests in flight): ` +
      `OTLP/HTTP ${perCore(HTTP_ROW)}, OTLP/gRPC ${perCore(GRPC_ROW)}`,
  );
  console.log(
    `${pass ? 'PASS' : 'FAIL'}: OTLP/gRPC at ${grpcVsHttp.median.toFixed(2)}x OTLP/HTTP's spans/s per core ` +
      `(IQR ${grpcVsHttp.p25.toFixed(2)}-${grpcVsHttp.p75.toFixed(2)}; at least ${GRPC_MIN_RATIO}x), ` +
      `failed requests: ${failures.join(', ') || 'none'}`,
  );
}
if (Number.isNaN(sink)) console.log('unreachable'); // keeps `sink` observable
