/**
 * The second-by-second view of `bench/shedding.bench.ts` (not a benchmark itself): what the
 * controller did, what each class got and, beside them, the stall columns that tell a slow second
 * of queueing from a stalled process (the service's event loop, its GC, the agent's tick, the load
 * generator's own loop and send lag).
 */
import { formatTable } from './harness.ts';
import type { ClientSecond } from './shedding-load.ts';
import type { OverloadRun } from './shedding-report.ts';

/** The classes the verdict protects. */
export const PROTECTED = ['CRITICAL_PLUS', 'CRITICAL'];
const SHEDDABLE_CLASSES = ['CRITICAL', 'SHEDDABLE_PLUS', 'SHEDDABLE'];
const SHORT: Readonly<Record<string, string>> = {
  CRITICAL_PLUS: 'C+',
  CRITICAL: 'C',
  SHEDDABLE_PLUS: 'S+',
  SHEDDABLE: 'S',
};

/** A latency for a table: `unanswered` when some request never got an answer, `-` without any. */
export function ms(value: number): string {
  if (Number.isNaN(value)) return '-';
  return Number.isFinite(value) ? value.toFixed(1) : 'unanswered';
}

const whole = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? '-' : value.toFixed(0);
const percent = (share: number | undefined) => (share === undefined ? undefined : share * 100);

/** What the columns of {@link secondsTable} mean, printed above it. */
const LEGEND = [
  'LF: load factor; p(x): rejection probability; queued: waiting for a slot at the end of the second;',
  'adm: requests that got a slot; C+/C/S p95/503%: what the clients got, by the second the requests were due.',
  'Stall columns (ms, max over the second): svc loop / gen loop: event-loop delay of the service / the load',
  "generator; runq: time the main thread waited for a CPU (sum over the second: the machine's share);",
  'svc gc (major): longest GC pause and major collections; tick: longest agent tick; served:',
  'longest time a request spent in the service process; lag: how late the generator sent a request;',
  'cpu: CPU time of the service / the generator (all threads, 100 = one core) and the machine idle (2 cores = 100).',
].join('\n');

/**
 * The run with admission second by second: the service's level, load factor, rejection
 * probabilities, queue and admitted requests (its report of a second that ended within that one),
 * each class's p95 and share of 503s as the clients got them, and the stall columns.
 */
export function secondsTable(run: OverloadRun, classes: readonly string[]): string {
  const header = [
    's',
    'level',
    'LF',
    ...SHEDDABLE_CLASSES.map((c) => `p(${SHORT[c]})`),
    'queued',
    'adm',
    ...classes.map((c) => `${SHORT[c] ?? c} p95/503%`),
    'svc loop',
    'svc runq',
    'svc gc (major)',
    'heap MiB',
    'tick',
    'served',
    'gen loop',
    'gen runq',
    'gen gc',
    'lag',
    'cpu svc/gen/idle %',
  ];
  const rows = run.clientSeconds.map((second, i) => {
    const own = run.serviceSeconds[i];
    const gen = run.loadSeconds[i];
    const probability = (c: string) => {
      const p = own?.rejection[c];
      return p === undefined ? '-' : p.toFixed(2);
    };
    const svc = own?.process;
    return [
      String(second.second),
      own?.level ?? '-',
      own === undefined ? '-' : own.loadFactor.toFixed(2),
      ...SHEDDABLE_CLASSES.map(probability),
      String(own?.queued ?? '-'),
      String(own?.started ?? '-'),
      ...second.classes.map((c) => `${ms(c.p95Ms)} / ${(c.rejectedShare * 100).toFixed(0)}`),
      whole(svc?.loopMaxMs),
      whole(svc?.runQueueMs),
      svc === undefined ? '-' : `${svc.gcMaxMs.toFixed(0)} (${svc.gcMajor})`,
      whole(svc?.heapMiB),
      own === undefined ? '-' : own.tickMaxMs.toFixed(1),
      whole(own?.servedMaxMs),
      whole(gen?.loopMaxMs),
      whole(gen?.runQueueMs),
      whole(gen?.gcMaxMs),
      whole(second.lagMaxMs),
      [svc?.cpu, gen?.cpu, gen?.machineIdle].map((share) => whole(percent(share))).join('/'),
    ];
  });
  return `${LEGEND}\n${formatTable(header, rows)}`;
}

/**
 * How long the protected classes took to come back within the budget once the overload began (the
 * queue built before shedding started has to drain), and how often they stayed within it after.
 */
export function settling(
  seconds: readonly ClientSecond[],
  classes: readonly string[],
  budgetMs: number,
): string {
  const within = seconds.map((second) =>
    PROTECTED.every((c) => {
      const p95Ms = second.classes[classes.indexOf(c)]?.p95Ms ?? Number.NaN;
      return Number.isNaN(p95Ms) || p95Ms <= budgetMs;
    }),
  );
  const first = within.indexOf(true);
  if (first === -1) return `${PROTECTED.join(' and ')}: p95 over the budget in every second`;
  const after = within.slice(first);
  return (
    `${PROTECTED.join(' and ')}: p95 first within the budget in second ${first + 1} of the overload; ` +
    `within it in ${after.filter(Boolean).length} of the ${after.length} seconds from then on`
  );
}

/**
 * What stalled the two processes while the run was measured (from second `fromSecond` on): how long
 * their event loops waited for a CPU (the machine), the longest event-loop delay, GC pause and
 * agent tick (the service itself), and how idle the machine was.
 */
export function stallSummary(run: OverloadRun, fromSecond: number): string {
  const service = run.serviceSeconds.slice(fromSecond).filter((s) => s !== undefined);
  const load = run.loadSeconds.slice(fromSecond).filter((s) => s !== undefined);
  const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
  const max = (values: readonly number[]) => Math.max(0, ...values);
  const svcWait = service.map((s) => s.process.runQueueMs);
  const genWait = load.map((s) => s.runQueueMs);
  const idle = load.map((s) => s.machineIdle * 100).filter((v) => !Number.isNaN(v));
  const waited = (waits: readonly number[]) =>
    Number.isNaN(sum(waits))
      ? 'unknown (no /proc/self/schedstat)'
      : `${(sum(waits) / 1000).toFixed(1)} s in all (worst second ${max(waits).toFixed(0)} ms, ` +
        `${waits.filter((ms) => ms > 100).length} seconds over 100 ms)`;
  return [
    `Stalls while measured (seconds ${fromSecond + 1}-${run.clientSeconds.length}, admission on): the service's ` +
      `event loop waited for a CPU ${waited(svcWait)}; its event-loop delay max ` +
      `${max(service.map((s) => s.process.loopMaxMs)).toFixed(0)} ms, GC pause max ` +
      `${max(service.map((s) => s.process.gcMaxMs)).toFixed(0)} ms, agent tick max ` +
      `${max(service.map((s) => s.tickMaxMs)).toFixed(1)} ms.`,
    `The load generator waited for a CPU ${waited(genWait)}; send lag max ` +
      `${max(run.clientSeconds.slice(fromSecond).map((s) => s.lagMaxMs)).toFixed(0)} ms. Machine idle ` +
      (idle.length === 0 ? 'unknown' : `${Math.min(...idle).toFixed(0)}-${max(idle).toFixed(0)} %`) +
      ' (a process waiting for a CPU is the shared machine, not the service: see README "Performance").',
  ].join('\n');
}
