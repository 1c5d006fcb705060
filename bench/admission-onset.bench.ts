// What an overload's onset costs the protected classes behind a deep FIFO (review15c H1, in
// issue 15): the admission controller on a manual clock in front of test/agent/admission/setup.ts's
// fifoPlant (capacity `--capacity` requests a second, every admitted request queued, a budget of 2
// s, the mix: 10 % CRITICAL_PLUS, 20 % CRITICAL, 70 % SHEDDABLE; admissions drawn by the
// evenly spread sequence). Deterministic: the figures are the law's, not the machine's.
//   node bench/admission-onset.bench.ts [--capacity N]
// Each run starts with the service seen healthy for 30 s at 0.5x (not counted): a running service
// has been, and the law trusts the flow only once it has seen it steady (a cold start cannot tell
// a backlog from a route never judged). Rows: a steady 3x for 240 s (and 1.5x, 2x, 5x for
// reference), then square waves of 3x on and 0.5x or nothing off for 600 s. Protected goodput =
// CRITICAL_PLUS and CRITICAL requests completed within budget / offered. PASS: the steady 3x row
// >= 90 % (the shedding benchmark's goodput target), and every 3x square-wave row >= 50 %.
// With the law of this commit (review15c H1 and onset15's review: where admit() runs here, the
// flow of admitted against finished requests sizes the rise at the first tick of a burst, drains
// the backlog through CRITICAL within recovery.sustain, and releases the drain's share in one tick
// once the backlog is gone): steady 3x 98.4 % (97.1 % with CRITICAL released step by step, 40.9 %
// when the latency alone decided), 1.5x/2x/5x 100/98.9/0.2 %, square waves (0.5x/0x pauses)
// 10/10 95.9/97.1 % (98.5/91.9 step by step; 91.6/90.7 latency alone), 10/30 74.0/61.1 %
// (66.3/72.2; 71.0/67.3), 30/30 97.5/96.1 % (81.1/79.2; 69.1/71.7), 30/60 90.2/87.1 % (82.2/80.0;
// 19.8/2.2), 60/60 96.2/95.1 % (90.0/78.9; 12.9/1.1); the queue never holds more than the
// budget's worth at 3x. Each burst that finds everything released still pays its first second
// (all admitted before any tick) and CRITICAL shed while its backlog drains: 10 s bursts with 30 s
// of nothing between them are the costliest row.
import type { Criticality } from '../agent/admission/criticality.ts';
import { evenly, fifoPlant, type Offered, setup } from '../test/agent/admission/setup.ts';
import { formatTable } from './harness.ts';

/** The value of `--name N` on the command line, else `fallback`. */
function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}
const CAPACITY = argument('capacity', 100);
const BUDGET_TICKS = 2;
const STEADY_TARGET = 0.9;
const SQUARE_TARGET = 0.5;

/** `factor` x capacity requests in one second, split by the mix. */
function mix(factor: number): Offered {
  return {
    CRITICAL_PLUS: Math.round(0.1 * factor * CAPACITY),
    CRITICAL: Math.round(0.2 * factor * CAPACITY),
    SHEDDABLE: Math.round(0.7 * factor * CAPACITY),
  };
}

interface Run {
  readonly protected: number;
  readonly sheddable: number;
  readonly maxBacklog: number;
  readonly maxPressure: number;
  readonly decisions: number;
}

/** Seconds at 0.5x before each run, not counted: the service has been seen healthy (see the header). */
const WARM_UP = 30;

/** `seconds` ticks of the FIFO at the load `factorAt(second)` gives, after the warm-up. */
function run(factorAt: (second: number) => number, seconds: number): Run {
  const harness = setup({}, evenly());
  const plant = fifoPlant(harness, CAPACITY, BUDGET_TICKS);
  for (let s = 0; s < WARM_UP; s++) {
    plant.step(mix(0.5));
    harness.controller.observe('NONE');
  }
  const before = structuredClone(plant.tally);
  let maxBacklog = 0;
  let maxPressure = 0;
  let decisions = 0;
  for (let s = 0; s < seconds; s++) {
    plant.step(mix(factorAt(s)));
    decisions += harness.controller.observe('NONE').length;
    maxBacklog = Math.max(maxBacklog, plant.backlog());
    maxPressure = Math.max(maxPressure, harness.controller.pressure);
  }
  const { tally } = plant;
  const since = (c: Criticality, key: 'offered' | 'withinBudget') =>
    (tally[c]?.[key] ?? 0) - (before[c]?.[key] ?? 0);
  const share = (classes: readonly Criticality[]) => {
    const offered = classes.reduce((sum, c) => sum + since(c, 'offered'), 0);
    const within = classes.reduce((sum, c) => sum + since(c, 'withinBudget'), 0);
    return offered === 0 ? 1 : within / offered;
  };
  return {
    protected: share(['CRITICAL_PLUS', 'CRITICAL']),
    sheddable: share(['SHEDDABLE']),
    maxBacklog,
    maxPressure,
    decisions,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const rows: string[][] = [];
const failures: string[] = [];
function report(name: string, result: Run, target: number | undefined): void {
  const pass = target === undefined || result.protected >= target;
  if (!pass) failures.push(`${name}: protected goodput ${pct(result.protected)} < ${pct(target)}`);
  rows.push([
    name,
    pct(result.protected),
    pct(result.sheddable),
    String(result.maxBacklog),
    result.maxPressure.toFixed(2),
    String(result.decisions),
    target === undefined ? '(reference)' : `${pass ? 'PASS' : 'FAIL'} (>= ${pct(target)})`,
  ]);
}

for (const factor of [1.5, 2, 3, 5])
  report(
    `steady ${factor}x, 240 s`,
    run(() => factor, 240),
    factor === 3 ? STEADY_TARGET : undefined,
  );
for (const [on, off] of [
  [10, 10],
  [10, 30],
  [30, 30],
  [30, 60],
  [60, 60],
] as const)
  for (const low of [0.5, 0])
    report(
      `3x ${on} s on, ${low}x ${off} s off, 600 s`,
      run((s) => (s % (on + off) < on ? 3 : low), 600),
      SQUARE_TARGET,
    );

console.log(
  `admission onset behind a FIFO: capacity ${CAPACITY}/s, budget ${BUDGET_TICKS} s, mix 10/20/70 % CRITICAL_PLUS/CRITICAL/SHEDDABLE`,
);
console.log(
  formatTable(
    ['load', 'protected goodput', 'SHEDDABLE goodput', 'max backlog', 'max pressure', 'decisions', 'target'],
    rows,
  ),
);
if (failures.length === 0) console.log('PASS: admission onset');
else {
  console.log(`FAIL: admission onset (review15c H1): ${failures.join('; ')}`);
  process.exitCode = 1;
}
