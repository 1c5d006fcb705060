// Collector mode under a steady 10,000 spans/s: CPU (% of one core) and RSS of `headroom agent`,
// side by side with a bare node:http server taking the same load and with the OpenTelemetry
// Collector's published testbed figure for OTLP/HTTP at 10k spans/s (not measured here):
//   node bench/collector-load.bench.ts [--json] [--warmup 5] [--duration 20] [--rate 10000] [--rounds 1]
// Every target runs in its own child process (the agent from source through test/helpers/run-cli.ts);
// this process sends the load (bench/collector-load-client.ts: batches of 100 spans, keep-alive,
// timer-paced) and reads the child's utime+stime and VmRSS from /proc every second. CPU counts
// every thread of the child (GC helpers and libuv included). The bare server runs under the same
// TypeScript type stripping as the agent so "Headroom / bare node:http" is Headroom's own cost;
// the plain-JS bare server shows what the loader adds (the published CLI runs compiled JS).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { type LoadCounters, LoadGenerator } from './collector-load-client.ts';
import { formatTable, median, quantile } from './harness.ts';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    warmup: { type: 'string', default: '5' },
    duration: { type: 'string', default: '20' },
    rate: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '1' },
  },
});
const SPANS_PER_BATCH = 100;
const options = {
  warmupSeconds: Number(args.warmup),
  durationSeconds: Number(args.duration),
  spansPerSecond: Number(args.rate),
  rounds: Number(args.rounds),
};

/** The Collector's figure for the same load: published by its testbed, not measured here. */
const COLLECTOR_REFERENCE = {
  name: 'OTel Collector (published)',
  test: 'Trace10kSPS/OTLP-HTTP: OTLP/HTTP receiver -> OTLP exporter, 10k spans/s in batches of 100',
  entry: 'opentelemetry-collector-contrib testbed, data.js entry of commit e4c30036 (2023-07-06)',
  url: 'https://open-telemetry.github.io/opentelemetry-collector-contrib/benchmarks/loadtests/',
  cpuPercent: { avg: 5.4, max: 7.3 },
  rssMiB: { avg: 51, max: 71 },
};

const AGENT_CONFIG = `service: { name: headroom-load-bench }
receiver: { port: 0, grpc: { port: 0 } }
api: { port: 0 }
exporters:
  prometheus: { port: 0 }
  otlp: { enabled: false }
rules:
  - match: { spanNamePattern: '.*' }
    context: routine
`;
// Reads and discards the body, answers 200 with an empty ExportTraceServiceResponse.
const BARE_SERVER = `import { createServer } from 'node:http';
const server = createServer((req, res) => {
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 }).end());
  req.resume();
});
server.listen(0, '127.0.0.1', () => console.error('listening on http://127.0.0.1:' + server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));`;

interface Target {
  readonly name: string;
  readonly args: (dir: string) => string[];
  /** Logged on stderr once every listener is up (the agent announces its metrics URL last). */
  readonly ready: RegExp;
}
const ROOT_CLI = join(import.meta.dirname, '..', 'test', 'helpers', 'run-cli.ts');
const TARGETS: readonly Target[] = [
  {
    name: 'headroom agent (from source)',
    args: (dir) => [ROOT_CLI, 'agent', '--config', join(dir, 'headroom.yaml')],
    ready: /metrics on http:\S+\n/,
  },
  {
    name: 'bare node:http (type stripping)',
    args: () => ['--input-type=module-typescript', '-e', BARE_SERVER],
    ready: /listening on http:\S+\n/,
  },
  {
    name: 'bare node:http (plain JS)',
    args: () => ['--input-type=module', '-e', BARE_SERVER],
    ready: /listening on http:\S+\n/,
  },
];
const BARE = TARGETS[1]!.name;

interface TargetResult {
  readonly name: string;
  readonly cpuPercent: { readonly avg: number; readonly max: number };
  readonly rssMiB: { readonly median: number; readonly max: number };
  readonly load: LoadCounters;
  /** The agent's own count (headroom_receiver_spans_total); else 200 responses x batch size. */
  readonly spansAcceptedPerSecond: number;
  /** headroom_receiver_spans_rejected_total over the interval; 0 for the bare servers. */
  readonly spansRejected: number;
  /** CPU of this process (the load generator) over the interval, % of one core. */
  readonly generatorCpuPercent: number;
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const dir = mkdtempSync(join(tmpdir(), 'headroom-load-'));
writeFileSync(join(dir, 'headroom.yaml'), AGENT_CONFIG);
const live = new Set<ChildProcess>();
// Whatever ends this process (done, error, Ctrl-C) ends the targets and removes the config.
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
process.once('SIGINT', () => process.exit(130));

/** Starts a target and resolves once it logged the URL it listens on. */
function startTarget(
  target: Target,
  dir: string,
): Promise<{ child: ChildProcess; url: string; metricsUrl: string | undefined }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_')));
  const child = spawn(process.execPath, target.args(dir), {
    cwd: dir, // the agent's default state store, data/headroom.db, goes with its config
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  live.add(child);
  child.on('exit', () => live.delete(child));
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${target.name} did not start:\n${output}`)), 30_000);
    child.on('exit', (code) => reject(new Error(`${target.name} exited (${code}):\n${output}`)));
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk;
      if (!target.ready.test(output)) return;
      const url = /(?:receiving OTLP\/HTTP|listening) on (http:\/\/\S+)/.exec(output)![1]!;
      clearTimeout(timer);
      resolve({ child, url, metricsUrl: /metrics on (http:\/\/\S+)/.exec(output)?.[1] });
    });
  });
}

async function stopTarget(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** utime + stime of every thread of `pid`, seconds. */
function cpuSeconds(pid: number): number {
  // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

function rssMiB(pid: number): number {
  const kiB = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kiB) / 1024;
}

interface SpanCount {
  readonly received: number;
  readonly rejected: number;
  readonly atMs: number;
}

/** The agent's own span counters, or undefined without a metrics endpoint. */
async function spanCount(metricsUrl: string | undefined): Promise<SpanCount | undefined> {
  if (metricsUrl === undefined) return undefined;
  const sentMs = performance.now();
  const text = await (await fetch(metricsUrl)).text();
  // The counters were read somewhere during the scrape (the first one pays for the connection).
  const atMs = (sentMs + performance.now()) / 2;
  const sum = (name: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
      .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  return {
    received: sum('headroom_receiver_spans_total'),
    rejected: sum('headroom_receiver_spans_rejected_total'),
    atMs,
  };
}

async function measure(target: Target, dir: string): Promise<TargetResult> {
  const { child, url, metricsUrl } = await startTarget(target, dir);
  const load = new LoadGenerator({ url, requestsPerSecond: options.spansPerSecond / SPANS_PER_BATCH });
  try {
    load.start();
    await sleep(options.warmupSeconds * 1000);
    load.resetCounters();
    const generatorCpu = process.cpuUsage();
    const before = await spanCount(metricsUrl);
    const { perSecondCpu, rss, averageCpu } = await sample(child.pid!);
    const counters = load.counters();
    const after = await spanCount(metricsUrl);
    const { user, system } = process.cpuUsage(generatorCpu);
    return {
      name: target.name,
      cpuPercent: { avg: averageCpu, max: Math.max(...perSecondCpu) },
      rssMiB: { median: median(rss), max: Math.max(...rss) },
      load: counters,
      ...acceptance(before, after, counters),
      generatorCpuPercent: (user + system) / 10 / counters.elapsedMs,
    };
  } finally {
    await load.stop();
    await stopTarget(child);
  }
}

function acceptance(before: SpanCount | undefined, after: SpanCount | undefined, counters: LoadCounters) {
  if (before === undefined || after === undefined) {
    const spans = (counters.statuses['200'] ?? 0) * SPANS_PER_BATCH;
    return { spansAcceptedPerSecond: spans / (counters.elapsedMs / 1000), spansRejected: 0 };
  }
  const rejected = after.rejected - before.rejected;
  const accepted = after.received - before.received - rejected;
  return { spansAcceptedPerSecond: accepted / ((after.atMs - before.atMs) / 1000), spansRejected: rejected };
}

/** CPU % of one core each second and over the whole interval, and VmRSS each second. */
async function sample(pid: number) {
  const perSecondCpu: number[] = [];
  const rss: number[] = [];
  const startMs = performance.now();
  const startCpu = cpuSeconds(pid);
  let lastMs = startMs;
  let lastCpu = startCpu;
  for (let s = 1; s <= options.durationSeconds; s++) {
    await sleep(startMs + s * 1000 - performance.now());
    const [nowMs, cpu] = [performance.now(), cpuSeconds(pid)];
    perSecondCpu.push(((cpu - lastCpu) / ((nowMs - lastMs) / 1000)) * 100);
    rss.push(rssMiB(pid));
    [lastMs, lastCpu] = [nowMs, cpu];
  }
  const averageCpu = ((lastCpu - startCpu) / ((lastMs - startMs) / 1000)) * 100;
  return { perSecondCpu, rss, averageCpu };
}

function loadSummary(result: TargetResult) {
  const { load } = result;
  const seconds = load.elapsedMs / 1000;
  return {
    requestsPerSecond: load.sent / seconds,
    spansPerSecond: (load.sent * SPANS_PER_BATCH) / seconds,
    acceptedPerSecond: result.spansAcceptedPerSecond,
    rejectedSpans: result.spansRejected,
    non200: Object.fromEntries(Object.entries(load.statuses).filter(([status]) => status !== '200')),
    skippedSends: load.skipped,
    latencyMs: { p50: quantile(load.latenciesMs, 0.5), p99: quantile(load.latenciesMs, 0.99) },
    bodyBytes: load.bodyBytes / Math.max(1, load.sent),
  };
}

const rounds: TargetResult[][] = [];
const startedMs = performance.now();
for (let r = 0; r < options.rounds; r++) {
  const round: TargetResult[] = [];
  for (const target of TARGETS) {
    if (!args.json) process.stderr.write(`round ${r + 1}/${options.rounds}: ${target.name} ...\n`);
    round.push(await measure(target, dir));
  }
  rounds.push(round);
}
const elapsedS = (performance.now() - startedMs) / 1000;
// Headroom (TARGETS[0]) over the bare server under the same loader (TARGETS[1]), per round (both
// ran within a minute of each other), then the median.
const ratioOf = (metric: (r: TargetResult) => number) =>
  median(rounds.map((round) => metric(round[0]!) / metric(round[1]!)));
const ratios = { cpu: ratioOf((r) => r.cpuPercent.avg), rssMedian: ratioOf((r) => r.rssMiB.median) };
if (args.json) printJson();
else printTable(rounds[rounds.length - 1]!);

function printJson(): void {
  const results = rounds.map((round) => round.map((result) => ({ ...result, load: loadSummary(result) })));
  const json = { node: process.version, clkTck: CLK_TCK, ...options, elapsedS, rounds: results, ratios };
  console.log(JSON.stringify({ ...json, headroomVs: BARE, reference: COLLECTOR_REFERENCE }, null, 2));
}

function row(result: TargetResult): string[] {
  const load = loadSummary(result);
  const problems = [
    ...Object.entries(load.non200).map(([status, count]) => `${count}x${status}`),
    ...(load.rejectedSpans > 0 ? [`${load.rejectedSpans} spans rejected`] : []),
    ...(load.skippedSends > 0 ? [`${load.skippedSends} sends skipped`] : []),
  ];
  return [
    result.name,
    `${result.cpuPercent.avg.toFixed(1)} / ${result.cpuPercent.max.toFixed(1)}`,
    `${result.rssMiB.median.toFixed(0)} / ${result.rssMiB.max.toFixed(0)}`,
    Math.round(load.spansPerSecond).toLocaleString('en-US'),
    Math.round(load.acceptedPerSecond).toLocaleString('en-US'),
    problems.join(', ') || 'none',
    `${load.latencyMs.p50.toFixed(1)} / ${load.latencyMs.p99.toFixed(1)}`,
    result.generatorCpuPercent.toFixed(0),
  ];
}

function printTable(last: readonly TargetResult[]): void {
  const ref = COLLECTOR_REFERENCE;
  const kiB = (loadSummary(last[0]!).bodyBytes / 1024).toFixed(0);
  console.log(
    `Node ${process.version}, ${options.spansPerSecond.toLocaleString('en-US')} spans/s as POSTs of ` +
      `${SPANS_PER_BATCH} spans (protobuf, ~${kiB} KiB), ${options.warmupSeconds} s warm-up + ` +
      `${options.durationSeconds} s measured per target, ${options.rounds} round(s)` +
      `${options.rounds > 1 ? ' (last shown)' : ''}, ${elapsedS.toFixed(0)} s\n`,
  );
  const header = [
    'target',
    'CPU % of a core',
    'RSS MiB',
    'sent spans/s',
    'accepted/s',
    'failures',
    'latency ms',
    'load gen CPU %',
  ];
  const subheader = ['', 'avg / max 1 s', 'median / max', '', '', '', 'p50 / p99', ''];
  const reference = [
    `${ref.name} *`,
    `${ref.cpuPercent.avg} / ${ref.cpuPercent.max}`,
    `${ref.rssMiB.avg} / ${ref.rssMiB.max} **`,
    '10,000',
    '10,000',
    'none',
    '-',
    '-',
  ];
  console.log(formatTable(header, [subheader, ...last.map(row), reference]));
  console.log(
    `\nHeadroom / ${BARE}, same run${options.rounds > 1 ? ', median of rounds' : ''}: ` +
      `CPU ${ratios.cpu.toFixed(2)}x, RSS ${ratios.rssMedian.toFixed(2)}x`,
  );
  console.log(
    `\n*  Published figure, NOT measured here: the Collector binary cannot be installed on this machine.` +
      `\n   ${ref.test}.\n   ${ref.entry}.\n   Source: ${ref.url} (its data.js)` +
      `\n   The series moves between Collector releases. The Collector also exports every span to a mock` +
      `\n   backend; Headroom (OTLP export disabled) records them into its windows instead.` +
      `\n** avg / max over the test, as the testbed reports RAM.`,
  );
}
