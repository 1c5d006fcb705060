// The standing adversarial suite: `npm run fuzz [-- --seed 42 --cases 100000]`.
// Generates seeded OTLP cases (protobuf, JSON, gzip; structure-aware mutations), runs each through
// the decoders, span ingest, agent ticks and the Prometheus exposition in this process and over
// HTTP against a real collector on 127.0.0.1, and prints cases, crashes, hangs and peak RSS.
// Exits 1 on any crash or hang, or when the collector's peak RSS passes receiver.maxMemory + 64 MiB.
//   --seed N        the run's seed (default: random, printed)      --cases N     default 100000
//   --only I,J-K    replay these case indexes of the seed         --no-http     in-process only
//   --concurrency N requests in flight (default 4)                 --deadline-ms per-case deadline (10000)
import { parseArgs } from 'node:util';
import { fuzzConfig } from './fuzz-config.ts';
import { runFuzz } from './fuzz-run.ts';
import { formatReport, rssLimitBytes } from './report.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    cases: { type: 'string', default: '100000' },
    only: { type: 'string' },
    'no-http': { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '4' },
    'deadline-ms': { type: 'string', default: '10000' },
  },
});
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
// `--only 5,7,100-199`: single indexes and ranges.
const only = values.only?.split(',').flatMap((part) => {
  const [first, last = first] = part.split('-').map(Number);
  return Array.from({ length: last! - first! + 1 }, (_, i) => first! + i);
});
console.log(`fuzz: seed ${seed} (replay with --seed ${seed})`);
const report = await runFuzz({
  seed,
  cases: Number(values.cases),
  only,
  http: !values['no-http'],
  concurrency: Number(values.concurrency),
  deadlineMs: Number(values['deadline-ms']),
  progress: (line) => console.log(line),
});
const limitBytes = rssLimitBytes(fuzzConfig());
console.log(formatReport(report, limitBytes));
// The limit is the receiver's (the collector process); the fuzzer's own RSS is reported alongside.
const overLimit = report.peakRssBytes.receiver > limitBytes;
process.exitCode = report.crashes.length > 0 || report.hangs.length > 0 || overLimit ? 1 : 0;
