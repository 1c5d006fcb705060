// Headroom's own cost on top of raw OpenTelemetry spans (target: at most +20 %), in one run:
//   node bench/overhead.bench.ts [--json] [--check] [--rounds 25] [--warmup 3] [--ops 50000]   (about 30 s)
// --check exits with 1 when the target is missed (meaningful on a quiet machine only).
// Both setups (bench/otel-setup.ts) use the same SDK setup (createTracerProvider: TracerProvider
// with the always-record parent-based sampler), the same stand-in exporting processor, the same
// span name and SpanOptions object and the AsyncLocalStorage context manager, so "Headroom's own
// work" is everything track() adds: the binding lookup, the OperationHandle, runInSpan, and its span
// processor feeding the agent (series lookup, window and totals). bench/overhead-breakdown.bench.ts
// splits that work up.
import { parseArgs } from 'node:util';
import type { Tracer } from '@opentelemetry/api';
import { type BenchCase, formatTable, measureRounds, median, pairedRatios, quantile } from './harness.ts';
import { CONTEXT, createSetups, OPERATION } from './otel-setup.ts';

const TARGET_PCT = 20;

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '25' },
    warmup: { type: 'string', default: '3' },
    ops: { type: 'string', default: '50000' },
  },
});
const options = {
  rounds: Number(args.rounds),
  warmupRounds: Number(args.warmup),
  opsPerRound: Number(args.ops),
};

const { headroom, headroomExporter, rawProvider, rawTracer, rawExporter, spanOptions } = createSetups();

const work = (): number => 42;
const asyncWork = (): Promise<number> => Promise.resolve(42);
const wrapped = headroom.wrap(OPERATION, CONTEXT, work);
const wrappedAsync = headroom.wrap(OPERATION, CONTEXT, asyncWork);
let sink = 0; // consumed at the end so no loop can be optimised away

function rawSync(tracer: Tracer): number {
  return tracer.startActiveSpan(OPERATION, spanOptions, (span) => {
    const result = work();
    span.end();
    return result;
  });
}

// The same promise work as track()'s runInSpan: one then() with both handlers.
function rawAsync(tracer: Tracer): Promise<number> {
  return tracer.startActiveSpan(OPERATION, spanOptions, (span) =>
    asyncWork().then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        span.end();
        throw error;
      },
    ),
  );
}

// One explicit loop per case, so every call site stays monomorphic.
const cases: BenchCase[] = [
  {
    name: 'untracked',
    round: (ops) => {
      let sum = 0;
      for (let i = 0; i < ops; i++) sum += work();
      sink += sum;
    },
  },
  {
    name: 'raw OTel',
    round: (ops) => {
      let sum = 0;
      for (let i = 0; i < ops; i++) sum += rawSync(rawTracer);
      sink += sum;
    },
  },
  {
    name: 'headroom track',
    round: (ops) => {
      let sum = 0;
      for (let i = 0; i < ops; i++) sum += headroom.track(OPERATION, CONTEXT, work);
      sink += sum;
    },
  },
  {
    name: 'headroom wrap',
    round: (ops) => {
      let sum = 0;
      for (let i = 0; i < ops; i++) sum += wrapped();
      sink += sum;
    },
  },
  {
    name: 'untracked async',
    round: async (ops) => {
      let sum = 0;
      for (let i = 0; i < ops; i++) sum += await asyncWork();
      sink += sum;
    },
  },
  {
    name: 'raw OTel async',
    round: async (ops) => {
      let sum = 0;
      for (let i = 0; i < ops; i++) sum += await rawAsync(rawTracer);
      sink += sum;
    },
  },
  {
    name: 'headroom track async',
    round: async (ops) => {
      let sum = 0;
      for (let i = 0; i < ops; i++) sum += await headroom.track(OPERATION, CONTEXT, asyncWork);
      sink += sum;
    },
  },
  {
    name: 'headroom wrap async',
    round: async (ops) => {
      let sum = 0;
      for (let i = 0; i < ops; i++) sum += await wrappedAsync();
      sink += sum;
    },
  },
];

const startedNs = process.hrtime.bigint();
const { wallNs: perRound } = await measureRounds(cases, options);
const elapsedS = Number(process.hrtime.bigint() - startedNs) / 1e9;
await headroom.shutdown();
await rawProvider.shutdown();

// Both setups must really have recorded and ended every span (and Headroom counted them).
const spansPerCase = options.opsPerRound * (options.warmupRounds + options.rounds);
const counted = headroom.agent.registry
  .list()
  .reduce((sum, s) => sum + s.window.snapshot(Date.now()).count, 0);
if (rawExporter.ended !== 2 * spansPerCase || headroomExporter.ended !== 4 * spansPerCase || counted === 0) {
  throw new Error(
    `bench: spans missing (raw ${rawExporter.ended}, headroom ${headroomExporter.ended}, counted ${counted})`,
  );
}

interface Ratio {
  /** Median of the per-round ratios. */
  readonly median: number;
  /** Interquartile range of the per-round ratios: how far to trust the median on this machine. */
  readonly p25: number;
  readonly p75: number;
}

const byName = new Map(cases.map((c, i) => [c.name, perRound[i]!]));
function ratio(a: string, b: string): Ratio {
  const each = pairedRatios(byName.get(a)!, byName.get(b)!);
  return { median: median(each), p25: quantile(each, 0.25), p75: quantile(each, 0.75) };
}
const ratios = {
  trackVsRaw: {
    sync: ratio('headroom track', 'raw OTel'),
    async: ratio('headroom track async', 'raw OTel async'),
  },
  wrapVsRaw: {
    sync: ratio('headroom wrap', 'raw OTel'),
    async: ratio('headroom wrap async', 'raw OTel async'),
  },
  rawVsUntracked: { sync: ratio('raw OTel', 'untracked'), async: ratio('raw OTel async', 'untracked async') },
};
/** Headroom's own work in ns per operation: median of the per-round differences with raw OTel. */
function extraNs(a: string, b: string): number {
  const rawRounds = byName.get(b)!;
  return median(byName.get(a)!.map((ns, round) => ns - rawRounds[round]!));
}
const headroomNs = {
  sync: extraNs('headroom track', 'raw OTel'),
  async: extraNs('headroom track async', 'raw OTel async'),
};
const overheadPct = (r: number): number => (r - 1) * 100;
const worstPct = overheadPct(Math.max(ratios.trackVsRaw.sync.median, ratios.trackVsRaw.async.median));
const pass = worstPct <= TARGET_PCT;

if (args.json) {
  const tenth = (ns: number): number => Math.round(ns * 10) / 10;
  const results = cases.map((c, i) => ({
    case: c.name,
    nsPerOp: tenth(median(perRound[i]!)),
    roundsNsPerOp: perRound[i]!.map(tenth),
  }));
  const summary = { node: process.version, ...options, elapsedS, results, ratios, headroomNs };
  console.log(JSON.stringify({ ...summary, targetPct: TARGET_PCT, worstPct, pass }, null, 2));
} else {
  const baseline = (name: string): string => (name.endsWith('async') ? 'raw OTel async' : 'raw OTel');
  const rows = cases.map((c, i) => {
    const samples = perRound[i]!;
    const vsRaw = c.name.startsWith('untracked')
      ? ''
      : `${ratio(c.name, baseline(c.name)).median.toFixed(3)}x`;
    const spread = `${Math.min(...samples).toFixed(0)}-${Math.max(...samples).toFixed(0)}`;
    return [c.name, median(samples).toFixed(1), spread, vsRaw];
  });
  const signed = (r: number): string => `${overheadPct(r) >= 0 ? '+' : ''}${overheadPct(r).toFixed(1)}`;
  const pct = (r: Ratio): string => `${signed(r.median)} % (IQR ${signed(r.p25)}..${signed(r.p75)})`;
  console.log(
    `Node ${process.version}, ${options.opsPerRound} ops/round, median of ${options.rounds} interleaved rounds ` +
      `(+${options.warmupRounds} warm-up), ${elapsedS.toFixed(1)} s\n`,
  );
  console.log(formatTable(['case', 'ns/op', 'min-max', 'vs raw (paired)'], rows));
  console.log("\nHeadroom's own work, (track - raw) / raw, median of per-round ratios:");
  console.log(
    `  track  sync ${pct(ratios.trackVsRaw.sync)}, async ${pct(ratios.trackVsRaw.async)}; ` +
      `${headroomNs.sync.toFixed(0)} / ${headroomNs.async.toFixed(0)} ns per operation`,
  );
  console.log(`  wrap   sync ${pct(ratios.wrapVsRaw.sync)}, async ${pct(ratios.wrapVsRaw.async)}`);
  const { sync, async } = ratios.rawVsUntracked;
  console.log(`raw OTel / untracked: sync ${sync.median.toFixed(0)}x, async ${async.median.toFixed(1)}x`);
  console.log(
    `${pass ? 'PASS' : 'FAIL'}: Headroom adds ${worstPct.toFixed(1)} % on top of raw OpenTelemetry spans ` +
      `(worst of track sync/async; target <= ${TARGET_PCT} %)`,
  );
}
if (args.check && !pass) process.exitCode = 1;
if (Number.isNaN(sink)) console.log('unreachable'); // keeps `sink` observable
