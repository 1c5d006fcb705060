// Load shedding under 3x overload: does criticality-aware admission keep the critical classes
// within their budget while the service is offered three times what it can serve?
//   node bench/shedding.bench.ts [--slots 8] [--service-ms 80] [--budget 200] [--overload 3]
//     [--warmup 5] [--duration 30] [--admission-warmup 40] [--probes 5] [--verify 4] [--seed 1]
// The service (bench/shedding-service.ts, its own process) is a node:http server wrapped by
// Headroom's HTTP middleware: `slots` requests at a time, each holding its slot for `service-ms`
// on a timer, the rest queueing. This process sends open-loop load (bench/shedding-load.ts), the
// class of each request in W3C baggage from a trusted peer (127.0.0.1). Steps, in one run:
//  1. capacity C with admission off: a bisection of short probes for the rate whose p95 reaches the
//     budget, then measured periods (warm-up, then `duration` s): C is the first rate, from the
//     probes' answer down by 2.5 % a period (`verify` periods at most), whose period keeps p95
//     within the budget (a queue near capacity grows for longer than a short probe shows);
//  2. a fresh service serves C / 2 for 3 s (warm), then is offered `overload` x C, 10 % CRITICAL_PLUS,
//     20 % CRITICAL, 70 % SHEDDABLE, admission on (measured after `admission-warmup` s, for the
//     controller to settle), then the same with admission off (after `warmup` s). Beside each
//     measured period, the goodput of the protected classes over the whole overload, from its
//     second 0 (the onset included): what the warm-up leaves out.
// PASS when, with admission on, CRITICAL_PLUS and CRITICAL have p95 <= budget and goodput
// (completed within budget per second) >= 90 % of what they offered, and with it off every class
// is over the budget. The controller's rejection probabilities are printed second by second.
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { quantile } from './harness.ts';
import { bySecond, type ClassShare, OpenLoad, summarize } from './shedding-load.ts';
import { machineIdle, StallProbe } from './shedding-probe.ts';
import { failures, type LoadSecond, printReport } from './shedding-report.ts';
import { startService } from './shedding-spawn.ts';

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
    verify: { type: 'string', default: '4' },
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
  verify: Number(args.verify),
  seed: Number(args.seed),
};
const MIX: readonly ClassShare[] = [
  { criticality: 'CRITICAL_PLUS', share: 0.1 },
  { criticality: 'CRITICAL', share: 0.2 },
  { criticality: 'SHEDDABLE', share: 0.7 },
];
const CLASSES = MIX.map((c) => c.criticality);
/** The service with admission on or off, as the options set it up. */
const serviceOptions = (admission: boolean) => ({ admission, ...options });
/** How long a service serves C / 2 before it is overloaded, ms. */
const PRELOAD_MS = 3000;
/** How much lower each measured period of the capacity step offers when the last one's p95 was over the budget. */
const VERIFY_STEP = 0.025;
/** How long answers are awaited after a measured period before the rest count as unanswered. */
const GRACE_MS = 2000;

/** This process (the load generator), second by second: epoch ms at the end of each second. */
const generatorSeconds: (LoadSecond & { readonly atMs: number })[] = [];
const generatorProbe = new StallProbe();
const idleShare = machineIdle();
const generatorTimer = setInterval(() => {
  const atMs = performance.timeOrigin + performance.now();
  generatorSeconds.push({ atMs, ...generatorProbe.read(), machineIdle: idleShare() });
}, 1000);

/**
 * Offers `perSecond` for `warmupS`, then measures `durationS`; per class, then all together; and
 * per class over the whole offer, from its second 0 (warm-up and onset included: `whole`).
 */
async function offer(load: OpenLoad, perSecond: number, warmupS: number, durationS: number) {
  const startMs = performance.now();
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
    whole: summarize(load.requests, CLASSES, startMs, toMs, options.budgetMs),
    total: total!,
    lagP99Ms: quantile(lagMs, 0.99),
    toMs,
  };
}

/** Step 1: C, the rate whose p95 reaches the budget (admission off), and its measured period. */
async function measureCapacity() {
  const service = await startService(serviceOptions(false));
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
    // Near capacity a queue keeps growing for longer than a 4 s probe: C is the highest rate whose
    // measured period (warm-up, then `duration` s) keeps p95 within the budget, from the probes'
    // answer down by VERIFY_STEP a period, `verify` periods at most.
    let capacity = low;
    let measured = await offer(load, capacity, options.warmupS, options.durationS);
    const periods = [[capacity.toFixed(1), measured.total.p95Ms.toFixed(1)]];
    while (measured.total.p95Ms > options.budgetMs && periods.length < options.verify) {
      await load.settle(30_000);
      capacity *= 1 - VERIFY_STEP;
      measured = await offer(load, capacity, options.warmupS, options.durationS);
      periods.push([capacity.toFixed(1), measured.total.p95Ms.toFixed(1)]);
    }
    return { capacity, slotsPerSecond, probes, periods, measured };
  } finally {
    load.close();
    await service.stop();
  }
}

/** Step 2: `overload` x C with the class mix, admission on or off, and its run second by second. */
async function overload(capacity: number, admission: boolean) {
  const service = await startService(serviceOptions(admission));
  const load = new OpenLoad(service.url, MIX, options.seed + 1);
  try {
    // The overload hits a warm service: JIT done, connections open, as in production.
    load.start(capacity / 2);
    await sleep(PRELOAD_MS);
    const warmupS = admission ? options.admissionWarmupS : options.warmupS;
    const result = await offer(load, options.overload * capacity, warmupS, options.durationS);
    const clientSeconds = bySecond(load.requests, CLASSES, load.startedMs, result.toMs, options.budgetMs);
    // Beside each second of the load, the service's and this process's first report not shown yet
    // that ended within it or up to half a second after (a report a stall delayed still lands
    // beside the second it covers; both processes read performance.timeOrigin + performance.now()).
    const aligned = <T extends { atMs: number }>(list: readonly T[]) => {
      let next = 0;
      return clientSeconds.map(({ second }) => {
        const endMs = performance.timeOrigin + load.startedMs + second * 1000;
        while (next < list.length && list[next]!.atMs < endMs - 1000) next++;
        const report = list[next];
        if (report === undefined || report.atMs >= endMs + 500) return undefined;
        next++;
        return report;
      });
    };
    const serviceSeconds = aligned(service.seconds);
    const loadSeconds = aligned(generatorSeconds);
    return { ...result, clientSeconds, serviceSeconds, loadSeconds };
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
clearInterval(generatorTimer);
generatorProbe.close();

printReport(options, capacity, on, off, elapsedS);
const problems = failures(on.classes, off.classes, options.budgetMs);
console.log(
  `${problems.length === 0 ? 'PASS' : 'FAIL'}: at ${options.overload}x capacity, admission on keeps ` +
    `CRITICAL_PLUS and CRITICAL within ${options.budgetMs} ms at p95 with goodput >= 90 % of offered; ` +
    `admission off puts every class over it${problems.map((problem) => `\n  ${problem}`).join('')}`,
);
if (problems.length > 0) process.exitCode = 1;
