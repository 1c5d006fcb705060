// Cardinality attacks on a real `headroom agent` (collector mode, from source): for each dimension
// (namespace, service, operation, context, phase), 100,000 distinct values in 100 OTLP/HTTP JSON
// requests of 1000 spans, then silence. Measured from /proc: baseline RSS after a warm-up, peak RSS
// during the attack, the scrape size right after, and the time from the attack's end until RSS is
// back within 10 % of the baseline AND a span of a never-seen service is accepted in full. The
// baseline is taken after a warm-up of the same volume from one legitimate service.
// heapUsed after a full GC (bench/heap-probe.ts) at the baseline and 60 s after the attack tells a
// leak (objects kept) from memory the allocators keep mapped after the peak (RSS only).
// The agent runs with window.length 10s and limits.idleTime 10s so a run takes about 2 minutes.
//   node bench/cardinality.bench.ts [dimension ...]
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const IDLE_S = 10;
const CONFIG = `service: { name: headroom-cardinality-bench }
receiver: { port: 0, grpc: { port: 0 }, maxMemory: 512MiB }
api: { port: 0, anonymous: [read] }
exporters:
  prometheus: { port: 0 }
  otlp: { enabled: false }
window: { length: 10s, resolution: 1s }
limits: { idleTime: ${IDLE_S}s }
`;
const DIMENSIONS = ['namespace', 'service', 'operation', 'context', 'phase'] as const;
type Dimension = (typeof DIMENSIONS)[number];
const VALUES = 100_000;
const LEGIT: SpanSpec = {
  service: 'legit',
  namespace: 'shop',
  name: 'checkout',
  attributes: { 'headroom.budget.context': 'routine' },
};
const PER_REQUEST = 1000;

interface SpanSpec {
  readonly service: string;
  readonly namespace: string;
  readonly name: string;
  readonly attributes: Record<string, string>;
}

/** The i-th span of an attack on `dimension`. */
function attackSpan(dimension: Dimension, i: number): SpanSpec {
  const base = {
    service: 'target',
    namespace: 'shop',
    name: 'op',
    attributes: { 'headroom.budget.context': 'routine' },
  };
  switch (dimension) {
    case 'namespace':
      return { ...base, service: `svc-${i % 50}`, namespace: `ns-${i}` };
    case 'service':
      return { ...base, service: `svc-${i}` };
    case 'operation':
      return { ...base, name: `op-${i}` };
    case 'context':
      return { ...base, attributes: { 'headroom.budget.context': `ctx-${i}` } };
    case 'phase':
      return {
        ...base,
        attributes: { ...base.attributes, 'headroom.operation': 'op', 'headroom.phase': `phase-${i}` },
      };
  }
}

let idCounter = 0;
function hex(length: number): string {
  idCounter++;
  return idCounter.toString(16).padStart(length, '0');
}

/** One OTLP/JSON trace request, a resource per span (same-service spans share nothing: worst case). */
function payload(spans: readonly SpanSpec[]): string {
  const endNs = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: spans.map((span) => ({
      resource: {
        attributes: [
          { key: 'service.name', value: { stringValue: span.service } },
          { key: 'service.namespace', value: { stringValue: span.namespace } },
        ],
      },
      scopeSpans: [
        {
          scope: { name: 'bench' },
          spans: [
            {
              traceId: hex(32),
              spanId: hex(16),
              name: span.name,
              kind: 2,
              startTimeUnixNano: String(endNs - 5_000_000n),
              endTimeUnixNano: String(endNs),
              attributes: Object.entries(span.attributes).map(([key, value]) => ({
                key,
                value: { stringValue: value },
              })),
            },
          ],
        },
      ],
    })),
  });
}

async function send(url: string, spans: readonly SpanSpec[]): Promise<{ status: number; body: string }> {
  const response = await fetch(`${url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: payload(spans),
  });
  return { status: response.status, body: await response.text() };
}

/** heapUsed after a full GC in the agent, MiB (see bench/heap-probe.ts). */
async function heapUsedMiB(pid: number, dir: string): Promise<number> {
  const file = join(dir, 'heap.jsonl');
  const before = existsSync(file) ? readFileSync(file, 'utf8').length : 0;
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 100 && (existsSync(file) ? readFileSync(file, 'utf8').length : 0) === before; i++) {
    await sleep(50);
  }
  const last = readFileSync(file, 'utf8').trim().split('\n').at(-1) as string;
  return (JSON.parse(last) as NodeJS.MemoryUsage).heapUsed / 1024 / 1024;
}

function rssMiB(pid: number): number {
  const kiB = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kiB) / 1024;
}

const seconds = (s: number | undefined) => (s === undefined ? 'not within 60 s' : `${s.toFixed(1)} s`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function startAgent(
  dir: string,
): Promise<{ child: ChildProcess; url: string; metricsUrl: string; apiUrl: string }> {
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      join(import.meta.dirname, 'heap-probe.ts'),
      join(import.meta.dirname, '..', 'test', 'helpers', 'run-cli.ts'),
      'agent',
      '--config',
      join(dir, 'headroom.yaml'),
    ],
    {
      cwd: dir, // the agent's default state store, data/headroom.db, goes with its config
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, HEADROOM_BENCH_HEAP_FILE: join(dir, 'heap.jsonl') },
    },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent did not start:\n${output}`)), 30_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk;
      const metrics = /metrics on (http:\/\/[^\s"]+)/.exec(output);
      if (metrics === null) return;
      clearTimeout(timer);
      resolve({
        child,
        url: /receiving OTLP\/HTTP on (http:\/\/[^\s"]+)/.exec(output)![1]!,
        metricsUrl: metrics[1]!,
        apiUrl: /decision API on (http:\/\/[^\s"]+)/.exec(output)![1]!,
      });
    });
  });
}

async function attack(dimension: Dimension) {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-cardinality-'));
  writeFileSync(join(dir, 'headroom.yaml'), CONFIG);
  const { child, url, metricsUrl, apiUrl } = await startAgent(dir);
  const pid = child.pid as number;
  try {
    // Warm-up at the attack's own shape and rate, one legitimate service and operation: the
    // baseline is a busy collector's (V8's young generation and Node's buffers already grown).
    for (let r = 0; r < VALUES / PER_REQUEST; r++) {
      await send(
        url,
        Array.from({ length: PER_REQUEST }, () => LEGIT),
      );
    }
    await sleep(3000);
    const baselineHeap = await heapUsedMiB(pid, dir);
    const baseline = rssMiB(pid);
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMiB(pid));
    }, 50);
    const started = performance.now();
    const statuses = new Map<number, number>();
    for (let r = 0; r < VALUES / PER_REQUEST; r++) {
      const spans = Array.from({ length: PER_REQUEST }, (_, k) => attackSpan(dimension, r * PER_REQUEST + k));
      const { status } = await send(url, spans);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    const attackS = (performance.now() - started) / 1000;
    const ended = performance.now();
    const scrape = await fetch(metricsUrl);
    const scrapeBytes = Buffer.byteLength(await scrape.text());
    const readyDuring = (await fetch(`${apiUrl}/-/ready`)).status;
    let acceptedS: number | undefined;
    let rssBackS: number | undefined;
    let n = 0;
    while (performance.now() - ended < 60_000 && (acceptedS === undefined || rssBackS === undefined)) {
      const atS = (performance.now() - ended) / 1000;
      if (rssBackS === undefined && rssMiB(pid) <= baseline * 1.1) rssBackS = atS;
      if (acceptedS === undefined) {
        const reply = await send(url, [{ ...LEGIT, service: `fresh-${n++}` }]);
        if (reply.status === 200 && !reply.body.includes('rejected')) acceptedS = atS;
      }
      await sleep(250);
    }
    clearInterval(sampler);
    await sleep(Math.max(0, 60_000 - (performance.now() - ended)));
    const finalHeap = await heapUsedMiB(pid, dir);
    const readyAfter = (await fetch(`${apiUrl}/-/ready`)).status;
    return {
      dimension,
      baselineMiB: baseline,
      peakMiB: peak,
      attackS,
      statuses: Object.fromEntries(statuses),
      scrapeBytes,
      scrapeStatus: scrape.status,
      readyDuring,
      acceptedS,
      rssBackS,
      readyAfter,
      finalMiB: rssMiB(pid),
      baselineHeap,
      finalHeap,
    };
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

const chosen = process.argv
  .slice(2)
  .filter((a): a is Dimension => (DIMENSIONS as readonly string[]).includes(a));
console.log(
  `cardinality attacks: ${VALUES} distinct values per dimension, limits.idleTime ${IDLE_S}s, ticks 1s`,
);
console.log(
  '| dimension | baseline RSS | peak RSS | attack | replies | scrape after | /-/ready during | new service accepted after | RSS within 10 % after | /-/ready after | heapUsed after GC, baseline -> 60 s after |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const dimension of chosen.length > 0 ? chosen : DIMENSIONS) {
  const r = await attack(dimension);
  console.log(
    `| ${r.dimension} | ${r.baselineMiB.toFixed(0)} MiB | ${r.peakMiB.toFixed(0)} MiB | ${r.attackS.toFixed(1)} s | ${JSON.stringify(r.statuses)} | ${r.scrapeStatus}, ${(r.scrapeBytes / 1024).toFixed(0)} KiB | ${r.readyDuring} | ${seconds(r.acceptedS)} | ${seconds(r.rssBackS)} (RSS ${r.finalMiB.toFixed(0)} MiB) | ${r.readyAfter} | ${r.baselineHeap.toFixed(1)} -> ${r.finalHeap.toFixed(1)} MiB |`,
  );
}
