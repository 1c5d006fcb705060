/**
 * What `bench/shedding.bench.ts` prints (not a benchmark itself): per class tables, the run second
 * by second (the controller's rejection probabilities beside what the clients got) and the verdict.
 */
import { formatTable } from './harness.ts';
import type { ClassResult, ClientSecond } from './shedding-load.ts';
import type { ProcessSecond } from './shedding-probe.ts';
import { ms, PROTECTED, secondsTable, settling, stallSummary } from './shedding-seconds.ts';
import type { ServiceSecond } from './shedding-service.ts';

/** The settings of a run, as the bench's options give them. */
export interface RunOptions {
  readonly slots: number;
  readonly serviceMs: number;
  readonly budgetMs: number;
  readonly overload: number;
  readonly warmupS: number;
  readonly durationS: number;
  readonly admissionWarmupS: number;
}

/** A measured period: per class, all classes together, and how late the load generator sent. */
export interface Period {
  readonly classes: readonly ClassResult[];
  readonly total: ClassResult;
  readonly lagP99Ms: number;
}

/** Step 1: the capacity C found, the probes of the search (rate, p95 ms) and the period at C. */
export interface Capacity {
  readonly capacity: number;
  readonly slotsPerSecond: number;
  readonly probes: readonly (readonly string[])[];
  /** The measured periods of the capacity step (rate, p95 ms); the last one's rate is C. */
  readonly periods: readonly (readonly string[])[];
  readonly measured: Period;
}

/** An overloaded run: its measured period, and per class over the whole overload, from its second 0. */
export interface Overloaded extends Period {
  readonly whole: readonly ClassResult[];
}

/** Step 2 (admission on): the period, and the run second by second on both sides. */
export interface OverloadRun extends Overloaded {
  readonly clientSeconds: readonly ClientSecond[];
  readonly serviceSeconds: readonly (ServiceSecond | undefined)[];
  /** The load generator's own process (this one), second by second. */
  readonly loadSeconds: readonly (LoadSecond | undefined)[];
}

/** The load generator's process over one second, and the machine's idle CPU share (0..1, NaN unknown). */
export interface LoadSecond extends ProcessSecond {
  readonly machineIdle: number;
}

/** The classes the verdict protects, and the share of their offered load they must get through. */
const MIN_GOODPUT_RATIO = 0.9;

/** Prints the capacity step, the overloaded runs per class and the run with admission second by second. */
export function printReport(
  options: RunOptions,
  capacity: Capacity,
  on: OverloadRun,
  off: Overloaded,
  elapsedS: number,
): void {
  const { measured } = capacity;
  console.log(
    `Node ${process.version}; service: ${options.slots} slots x ${options.serviceMs} ms (at most ` +
      `${capacity.slotsPerSecond.toFixed(0)} req/s), budget ${options.budgetMs} ms at p95; ` +
      `${elapsedS.toFixed(0)} s in all\n`,
  );
  console.log(
    `Capacity search (admission off, 2 s warm-up + 4 s per probe): ` +
      capacity.probes.map(([rate, p95]) => `${rate}/s p95 ${p95} ms`).join(', '),
  );
  console.log(
    `Measured periods (${options.warmupS} s warm-up + ${options.durationS} s, down by 2.5 % while p95 ` +
      `is over the budget): ${capacity.periods.map(([rate, p95]) => `${rate}/s p95 ${p95} ms`).join(', ')}`,
  );
  console.log(
    `C = ${capacity.capacity.toFixed(1)} req/s; measured at C (${options.warmupS} s warm-up + ` +
      `${options.durationS} s): p95 ${ms(measured.total.p95Ms)} ms, goodput ` +
      `${measured.total.goodputPerSecond.toFixed(1)}/s of ${measured.total.offeredPerSecond.toFixed(1)}/s ` +
      `offered; load generator lag p99 ${measured.lagP99Ms.toFixed(1)} ms\n`,
  );
  for (const [name, run] of [
    ['on', on],
    ['off', off],
  ] as const) {
    const warmupS = name === 'on' ? options.admissionWarmupS : options.warmupS;
    console.log(
      `${options.overload}x C = ${(options.overload * capacity.capacity).toFixed(1)} req/s, admission ` +
        `${name} (${warmupS} s warm-up + ${options.durationS} s; load generator lag p99 ` +
        `${run.lagP99Ms.toFixed(1)} ms):`,
    );
    console.log(classTable(run.classes, options.budgetMs));
    console.log(`${wholeOverload(run.whole, warmupS + options.durationS)}\n`);
  }
  console.log('Admission on, second by second:');
  const classes = on.classes.map((c) => c.criticality);
  console.log(`${secondsTable(on, classes)}\n`);
  console.log(`${settling(on.clientSeconds, classes, options.budgetMs)}\n`);
  console.log(`${stallSummary(on, options.admissionWarmupS)}\n`);
}

/** One table row per class: offered, outcomes, p95 against the budget, goodput and its ratio. */
function classTable(results: readonly ClassResult[], budgetMs: number): string {
  const header = [
    'class',
    'offered/s',
    'completed',
    '503',
    'failed/unanswered',
    'p95 ms vs budget',
    'goodput/s',
    'goodput/offered',
  ];
  const rows = results.map((result) => [
    result.criticality,
    result.offeredPerSecond.toFixed(1),
    String(result.completed),
    String(result.rejected),
    String(result.failed + result.unanswered),
    `${ms(result.p95Ms)} ${result.p95Ms <= budgetMs ? '<=' : '>'} ${budgetMs}`,
    result.goodputPerSecond.toFixed(1),
    `${(goodputRatio(result) * 100).toFixed(1)} %`,
  ]);
  return formatTable(header, rows);
}

/**
 * The protected classes' goodput over the whole overload (`seconds`, from its second 0: the
 * warm-up and the onset included, which the table's measured period leaves out).
 */
function wholeOverload(whole: readonly ClassResult[], seconds: number): string {
  const classes = whole.filter((c) => PROTECTED.includes(c.criticality));
  const parts = classes.map(
    (c) =>
      `${c.criticality} goodput ${c.goodputPerSecond.toFixed(1)}/s of ${c.offeredPerSecond.toFixed(1)}/s ` +
      `offered (${(goodputRatio(c) * 100).toFixed(1)} %), p95 ${ms(c.p95Ms)} ms, ${c.rejected} 503`,
  );
  return `Whole overload, from its second 0 (${seconds} s, onset included): ${parts.join('; ')}`;
}

function goodputRatio(result: ClassResult): number {
  return result.offeredPerSecond === 0 ? 0 : result.goodputPerSecond / result.offeredPerSecond;
}

/**
 * Why the run fails, empty when it passes: with admission on, a protected class over the budget
 * at p95 or with goodput under 90 % of its offered load; with it off, a class within the budget.
 */
export function failures(
  on: readonly ClassResult[],
  off: readonly ClassResult[],
  budgetMs: number,
): string[] {
  const problems: string[] = [];
  for (const c of on.filter((result) => PROTECTED.includes(result.criticality))) {
    if (!(c.p95Ms <= budgetMs))
      problems.push(`admission on: ${c.criticality} p95 ${ms(c.p95Ms)} ms > ${budgetMs} ms`);
    if (goodputRatio(c) < MIN_GOODPUT_RATIO)
      problems.push(
        `admission on: ${c.criticality} goodput ${c.goodputPerSecond.toFixed(1)}/s is ` +
          `${(goodputRatio(c) * 100).toFixed(1)} % of ${c.offeredPerSecond.toFixed(1)}/s offered (< 90 %)`,
      );
  }
  for (const c of off.filter((result) => result.p95Ms <= budgetMs))
    problems.push(`admission off: ${c.criticality} p95 ${ms(c.p95Ms)} ms within the budget`);
  return problems;
}
