// Load shedding under 3x overload: does criticality-aware admission keep the critical classes
// within their budget while the service is offered three times what it can serve?
//   node bench/shedding.bench.ts [--slots 8] [--service-ms 80] [--budget 200] [--overload 3]
//     [--warmup 5] [--duration 30] [--admission-warmup 40] [--probes 5] [--seed 1]
// The service (bench/shedding-service.ts, its own process) is a node:http server wrapped by
// Headroom's HTTP middleware: `slots` requests at a time, each holding its slot for `service-ms`
// on a timer, the rest queueing. This process sends open-loop load (bench/shedding-load.ts), the
// class of each request in W3C baggage from a trusted peer (127.0.0.1). Steps, in one run:
//  1. capacity C with admission off: a bisection of short probes for the rate whose p95 reaches the
//     budget, then a measured period at C (warm-up, then `duration` s);
//  2. a fresh service serves C / 2 for 3 s (warm), then is offered `overload` x C, 10 % CRITICAL_PLUS,
//     20 % CRITICAL, 70 % SHEDDABLE, admission on (measured after `admission-warmup` s, for the
//     controller to settle), then the same with admission off.
// PASS when, with admission on, CRITICAL_PLUS and CRITICAL have p95 <= budget and goodput
// (completed within budget per second) >= 90 % of what they offered, and with it off every class
// is over the budget. The controller's rejection probabilities are printed second by second.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { quantile } from './harness.ts';
import { bySecond, type ClassShare, OpenLoad, summarize } from './shedding-load.ts';
import { failures, printReport } from './shedding-report.ts';
import type { ServiceListening, ServiceSecond } from './shedding-service.ts';

const { values: args } = parseArgs({
  options: {
    slots: { type: 'string', default: '8' },
    'service-ms': { type: 'string', default: '80' },
    budget: { type: 'string', default: '200' },
    overload: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '5' },
    duration: { type: 'string', default: '30' },
    'admission-warmup': { type: 'string', default: '40' },
    probes: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
  },
});
const options = {
  slots: Number(args.slots),
  serviceMs: Number(args['service-ms']),
  budgetMs: Number(args.budget),
  overload: Number(args.overload),
  warmupS: Number(args.warmup),
  durationS: Number(args.duration),
  admissionWarmupS: Number(args['admission-warmup']),
  probes: Number(args.probes),
  seed: Number(args.seed),
};
const MIX: readonly ClassShare[] = [
  { criticality: 'CRITICAL_PLUS', share: 0.1 },
  { criticality: 'CRITICAL', share: 0.2 },
  { criticality: 'SHEDDABLE', share: 0.7 },
];
const CLASSES = MIX.map((c) => c.criticality);
/** How long a service serves C / 2 before it is overloaded, ms. */
const PRELOAD_MS = 3000;
/** How long answers are awaited after a measured period before the rest count as unanswered. */
const GRACE_MS = 2000;

const dir = mkdtempSync(join(tmpdir(), 'headroom-shedding-'));
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
process.once('SIGINT', () => process.exit(130));

function configFile(admission: boolean): string {
  const file = join(dir, `headroom-admission-${admission ? 'on' : 'off'}.yaml`);
  writeFileSync(
    file,
    `service: { name: shedding-bench }
exporters:
  prometheus: { enabled: false }
  otlp: { enabled: false }
contexts:
  work: { budget: ${options.budgetMs}ms, percentile: p95 }
rules:
  - match: { kind: server, attributes: { http.route: /work } }
    context: work
criticality:
  trustedPeers: [127.0.0.1, '::1']
admission:
  enabled: ${admission}
`,
  );
  return file;
}

interface Service {
  readonly url: string;
  readonly seconds: ServiceSecond[];
  stop(): Promise<void>;
}

/** Starts the service in its own process; resolves once it listens. */
async function startService(admission: boolean): Promise<Service> {
  const serviceArgs = ['--config', configFile(admission), '--slots', String(options.slots)];
  serviceArgs.push('--service-ms', String(options.serviceMs));
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_')));
  const child = spawn(
    process.execPath,
    [...process.execArgv, join(import.meta.dirname, 'shedding-service.ts'), ...serviceArgs],
    { env: { ...env, OTEL_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  live.add(child);
  const seconds: ServiceSecond[] = [];
  const listening = new Promise<string>((resolve, reject) => {
    child.on('message', (message: ServiceListening | ServiceSecond) => {
      if (message.kind === 'listening') resolve(message.url);
      else seconds.push(message);
    });
    child.once('exit', (code) => reject(new Error(`the service exited (${code}) before listening`)));
  });
  const url = await listening;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    live.delete(child);
  };
  return { url, seconds, stop };
}

/** Offers `perSecond` for `warmupS`, then measures `durationS`; per class, then all together. */
async function offer(load: OpenLoad, perSecond: number, warmupS: number, durationS: number) {
  load.start(perSecond);
  await sleep(warmupS * 1000);
  const fromMs = performance.now();
  await sleep(durationS * 1000);
  const toMs = performance.now();
  load.pause();
  await load.settle(GRACE_MS);
  const all = load.requests.map((r) => ({ ...r, criticality: '*' }));
  const [total] = summarize(all, ['*'], fromMs, toMs, options.budgetMs);
  const lagMs = load.requests.filter((r) => r.scheduledMs >= fromMs).map((r) => r.lagMs);
  return {
    classes: summarize(load.requests, CLASSES, fromMs, toMs, options.budgetMs),
    total: total!,
    lagP99Ms: quantile(lagMs, 0.99),
    toMs,
  };
}

/** Step 1: C, the rate whose p95 reaches the budget (admission off), and its measured period. */
async function measureCapacity() {
  const service = await startService(false);
  const load = new OpenLoad(service.url, MIX, options.seed);
  try {
    const slotsPerSecond = (options.slots * 1000) / options.serviceMs;
    let [low, high] = [0.5 * slotsPerSecond, 1.05 * slotsPerSecond];
    // A cold service (JIT, first connections) would fail the first probe: 3 s at the low end first.
    load.start(low);
    await sleep(3000);
    load.pause();
    await load.settle(10_000);
    const probes: string[][] = [];
    for (let i = 0; i < options.probes; i++) {
      const rate = (low + high) / 2;
      const { total } = await offer(load, rate, 2, 4);
      probes.push([rate.toFixed(0), total.p95Ms.toFixed(1)]);
      if (total.p95Ms <= options.budgetMs) low = rate;
      else high = rate;
      await load.settle(10_000);
    }
    const measured = await offer(load, low, options.warmupS, options.durationS);
    return { capacity: low, slotsPerSecond, probes, measured };
  } finally {
    load.close();
    await service.stop();
  }
}

/** Step 2: `overload` x C with the class mix, admission on or off, and its run second by second. */
async function overload(capacity: number, admission: boolean) {
  const service = await startService(admission);
  const load = new OpenLoad(service.url, MIX, options.seed + 1);
  try {
    // The overload hits a warm service: JIT done, connections open, as in production.
    load.start(capacity / 2);
    await sleep(PRELOAD_MS);
    const warmupS = admission ? options.admissionWarmupS : options.warmupS;
    const result = await offer(load, options.overload * capacity, warmupS, options.durationS);
    const clientSeconds = bySecond(load.requests, CLASSES, load.startedMs, result.toMs, options.budgetMs);
    // Beside each second of the load, the service's report of a second that ended within it
    // (both processes read performance.timeOrigin + performance.now()).
    const serviceSeconds = clientSeconds.map(({ second }) => {
      const endMs = performance.timeOrigin + load.startedMs + second * 1000;
      return service.seconds.findLast((s) => s.atMs >= endMs - 1000 && s.atMs < endMs);
    });
    return { ...result, clientSeconds, serviceSeconds };
  } finally {
    load.close();
    await service.stop();
  }
}

const startedMs = performance.now();
const capacity = await measureCapacity();
const on = await overload(capacity.capacity, true);
const off = await overload(capacity.capacity, false);
const elapsedS = (performance.now() - startedMs) / 1000;

printReport(options, capacity, on, off, elapsedS);
const problems = failures(on.classes, off.classes, options.budgetMs);
console.log(
  `${problems.length === 0 ? 'PASS' : 'FAIL'}: at ${options.overload}x capacity, admission on keeps ` +
    `CRITICAL_PLUS and CRITICAL within ${options.budgetMs} ms at p95 with goodput >= 90 % of offered; ` +
    `admission off puts every class over it${problems.map((problem) => `\n  ${problem}`).join('')}`,
);
if (problems.length > 0) process.exitCode = 1;
