// Cost of one admission tick in collector mode (review16 L2): `--services` (2,000) busy services,
// each with an admission controller fed every second 5 CRITICAL_PLUS, 30 CRITICAL and 60 SHEDDABLE
// duration/budget ratios (log-normal around 0.5x; one service in ten has CRITICAL at 1.6x, so it
// sheds and recovers, the law's busier paths). Time is simulated on a ManualClock; only the ticks
// are measured, each second: the admission registry's tick, and, as the baseline, the tick of as
// many degradation managers (one per service, fed three verdicts each, as the agent does in the
// same tick), interleaved so a noisy neighbour slows both alike. A minor GC runs before each
// measured tick, so neither pays for the garbage of the samples fed before it (ingestion's, not
// the tick's): each tick is charged its own work and the collection of its own allocations.
//   node bench/admission-tick.bench.ts [--services N] [--seconds N] [--warmup N]
// PASS: admission tick <= 50 ms (a twentieth of the 1 s tick) and <= 60x the degradation managers'
// tick, each in wall time (median; ratio: median of per-second ratios) or, on a shared machine
// where waits for a core inflate wall time, in CPU time (mean; ratio of sums), whichever is lower.
// A degradation manager reads no window (the evaluator hands it verdicts); a busy controller reads
// two or three percentiles of its classes' windows, each a merge of slot sketches scattered over
// the heap: 60x is about 30 us a service.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AdmissionRegistry } from '../agent/admission/admission-registry.ts';
import type { Criticality } from '../agent/admission/criticality.ts';
import type { Verdict } from '../agent/budget/types.ts';
import { ManualClock } from '../agent/clock.ts';
import { DegradationManager } from '../agent/degradation/degradation-manager.ts';
import { resolveConfig } from '../config/index.ts';
import { mulberry32, standardNormal } from '../test/helpers/random.ts';
import { formatTable, median, pairedRatios, quantile } from './harness.ts';

/** The value of `--name N` on the command line, else `fallback`. */
function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}
const SERVICES = argument('services', 2000);
const SECONDS = argument('seconds', 30);
const WARMUP = argument('warmup', 15);
const TARGET_MS = 50;
const TARGET_RATIO = 60;

/** Samples per class per second, and the median ratio of each class (the overloaded services' CRITICAL: 1.6). */
const LOAD: readonly (readonly [Criticality, number, number])[] = [
  ['CRITICAL_PLUS', 5, 0.5],
  ['CRITICAL', 30, 0.5],
  ['SHEDDABLE', 60, 0.6],
];

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;

const config = resolveConfig({ config: {} });
const clock = new ManualClock(Date.UTC(2026, 0, 1));
const registry = new AdmissionRegistry({ config: config.admission, clock, auditLogSize: 100 });
const ids = Array.from({ length: SERVICES }, (_, i) => ({ namespace: 'bench', service: `svc-${i}` }));
const controllers = ids.map((id) => registry.get(id));
const managers = ids.map(
  (id) => new DegradationManager({ config: config.degradation, clock, auditLogSize: 100, ...id }),
);
const next = mulberry32(16);
const noise = Float64Array.from({ length: 4096 }, () => Math.exp(0.4 * standardNormal(next)));
let draw = 0;

/** The service's verdicts for its degradation manager: one per class, at the class's median ratio. */
function verdictsOf(i: number, nowMs: number): Verdict[] {
  return LOAD.map(([criticality, samples, ratio]) => {
    const r = criticality === 'CRITICAL' && i % 10 === 0 ? 1.6 : ratio;
    return {
      series: { namespace: 'bench', service: `svc-${i}`, operation: criticality, context: 'routine' },
      status: r > 1 ? 'violation' : 'ok',
      percentile: 'p95',
      observedMs: 100 * r,
      budgetMs: 100,
      baseBudgetMs: 100,
      ratio: r,
      samples,
      at: nowMs,
    } as Verdict;
  });
}

/** One simulated second of samples into every controller (not measured). */
function feed(): void {
  const nowMs = clock.now();
  controllers.forEach((controller, i) => {
    for (const [criticality, samples, ratio] of LOAD) {
      const median = criticality === 'CRITICAL' && i % 10 === 0 ? 1.6 : ratio;
      for (let s = 0; s < samples; s++)
        controller.record(criticality, median * noise[draw++ & 4095]!, nowMs - ((s * 37) % 1000));
    }
  });
}

const levelOf = () => 'NONE' as const;
const admissionMs: number[] = [];
const degradationMs: number[] = [];
// CPU time of the main thread, summed: it leaves out the waits for a core of a shared machine, but
// is counted in scheduler ticks (4 ms here), so only a sum over many ticks is meaningful.
const admissionCpu = { ms: 0 };
const degradationCpu = { ms: 0 };
let decisions = 0;
for (let s = 0; s < WARMUP + SECONDS; s++) {
  feed();
  clock.advance(1000);
  const verdicts = ids.map((_, i) => verdictsOf(i, clock.now()));
  const order = s % 2 === 0 ? ['admission', 'degradation'] : ['degradation', 'admission'];
  for (const which of order) {
    gc({ type: 'minor' });
    const cpu = process.threadCpuUsage();
    const start = performance.now();
    if (which === 'admission') decisions += registry.observe(levelOf).length;
    else for (const [i, manager] of managers.entries()) manager.observe(verdicts[i]!);
    const elapsed = performance.now() - start;
    const used = process.threadCpuUsage(cpu);
    if (s < WARMUP) continue;
    const [wall, cpuSum] =
      which === 'admission' ? [admissionMs, admissionCpu] : [degradationMs, degradationCpu];
    wall.push(elapsed);
    cpuSum.ms += (used.user + used.system) / 1000;
  }
}

const ratios = pairedRatios(admissionMs, degradationMs);
const fmt = (n: number, digits = 2) => n.toFixed(digits);
const row = (name: string, ms: readonly number[], cpu: { ms: number }) => [
  name,
  fmt(median(ms)),
  fmt(quantile(ms, 0.95)),
  fmt(Math.max(...ms)),
  fmt(cpu.ms / SECONDS),
];
console.log(
  `${SERVICES} busy services (${LOAD.map(([c, n]) => `${n} ${c}`).join(', ')} samples/s each; 1 in 10 overloaded), ${SECONDS} s measured after ${WARMUP} s of warm-up; ${decisions} admission decisions`,
);
console.log(
  formatTable(
    ['one tick, ms', 'wall median', 'wall p95', 'wall max', 'CPU mean'],
    [
      row('admission controllers', admissionMs, admissionCpu),
      row('degradation managers (baseline)', degradationMs, degradationCpu),
    ],
  ),
);
// Wall time where the machine is quiet; on a shared one CPU time tells the tick's own cost.
const tickMs = Math.min(median(admissionMs), admissionCpu.ms / SECONDS);
const ratio = Math.min(median(ratios), admissionCpu.ms / degradationCpu.ms);
const pass = tickMs <= TARGET_MS && ratio <= TARGET_RATIO;
console.log(
  `${pass ? 'PASS' : 'FAIL'}: admission tick ${fmt(tickMs)} ms (target <= ${TARGET_MS} ms; wall median ${fmt(median(admissionMs))}, CPU mean ${fmt(admissionCpu.ms / SECONDS)}), ${fmt(ratio, 1)}x the degradation managers' tick (target <= ${TARGET_RATIO}x; wall: median of per-second ratios ${fmt(median(ratios), 1)}x, CPU: ratio of sums ${fmt(admissionCpu.ms / degradationCpu.ms, 1)}x)`,
);
if (!pass) process.exitCode = 1;
