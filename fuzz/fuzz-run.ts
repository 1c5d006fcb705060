/**
 * One fuzzing run: generates the cases of a seed, runs each in-process (which predicts the
 * receiver's answer) and over HTTP against a real collector, ticks and renders the in-process agent
 * every 1000 cases, scrapes the collector's /metrics and samples memory every 2000, and reports
 * cases, crashes, hangs and peak RSS.
 */
import { type FuzzCase, generateCase } from './cases.ts';
import { HttpTarget } from './http-target.ts';
import { describe, InProcessTarget } from './in-process.ts';
import { judge } from './judge.ts';

/** Options of {@link runFuzz}. */
export interface FuzzOptions {
  readonly seed: number;
  /** Number of cases (indexes 0 .. cases - 1), unless `only` names some. */
  readonly cases: number;
  /** Replays just these case indexes. */
  readonly only?: readonly number[];
  /** Also send every case over HTTP. @default true */
  readonly http?: boolean;
  /** Requests in flight at once. @default 4 */
  readonly concurrency?: number;
  /** Longest a case may take in-process or over HTTP before it counts as a hang, ms. @default 10000 */
  readonly deadlineMs?: number;
  /** Called with every case generated (e.g. to check which mutations were reached). */
  readonly onCase?: (fuzzCase: FuzzCase) => void;
  /** Called with a line now and then (progress). */
  readonly progress?: (line: string) => void;
}

/** A crash or a hang: where, which case (replay with `--seed S --only N`) and what happened. */
export interface Finding {
  readonly index: number;
  readonly target: 'in-process' | 'http';
  readonly name: string;
  readonly detail: string;
}

export interface FuzzReport {
  readonly seed: number;
  readonly cases: number;
  readonly crashes: readonly Finding[];
  readonly hangs: readonly Finding[];
  /** Requests sent again because they failed while this process stalled (not the receiver's fault). */
  readonly stallRetries: number;
  /** HTTP answers by status. */
  readonly statuses: Readonly<Record<number, number>>;
  /** Peak RSS, bytes: this process (in-process target and generator), and the receiver process. */
  readonly peakRssBytes: { readonly fuzzer: number; readonly receiver: number };
  readonly durationMs: number;
}

const TICK_EVERY = 1000;
const RENDER_EVERY = 5000;
const SCRAPE_EVERY = 2000;

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const startedMs = performance.now();
  const { seed, deadlineMs = 10_000, concurrency = 4 } = options;
  const indexes = options.only ?? Array.from({ length: options.cases }, (_, i) => i);
  const local = new InProcessTarget(Date.now());
  const http = options.http === false ? undefined : new HttpTarget(concurrency);
  await http?.start();
  const crashes: Finding[] = [];
  const hangs: Finding[] = [];
  const statuses: Record<number, number> = {};
  const inFlight = new Set<Promise<void>>();
  const finding = (index: number, target: Finding['target'], name: string, detail: string, hang = false) => {
    (hang || detail === 'no answer: deadline' ? hangs : crashes).push({ index, target, name, detail });
    options.progress?.(`fuzz: case ${index} [${target}] ${name}: ${detail.split('\n')[0]}`);
  };
  let done = 0;
  let stallRetries = 0;
  for (const index of indexes) {
    let fuzzCase: FuzzCase;
    try {
      fuzzCase = generateCase(seed, index, { maxBodyBytes: local.maxBodyBytes, nowMs: local.clock.now() });
    } catch (error) {
      finding(index, 'in-process', 'generator', `the case generator threw: ${describe(error)}`);
      continue;
    }
    options.onCase?.(fuzzCase);
    const before = performance.now();
    const prediction = local.run(fuzzCase);
    const elapsedMs = performance.now() - before;
    for (const problem of prediction.problems) finding(index, 'in-process', fuzzCase.name, problem);
    if (elapsedMs > deadlineMs)
      finding(index, 'in-process', fuzzCase.name, `took ${Math.round(elapsedMs)} ms`, true);
    if (http !== undefined) {
      while (inFlight.size >= concurrency) await Promise.race(inFlight);
      if (!http.running) {
        reportExits(http, index, crashes);
        await http.start();
      }
      const sent: Promise<void> = send(http, fuzzCase, deadlineMs, () => stallRetries++).then((outcome) => {
        inFlight.delete(sent);
        if (outcome.status !== undefined) statuses[outcome.status] = (statuses[outcome.status] ?? 0) + 1;
        const wrong = judge(prediction, outcome);
        if (wrong !== undefined) finding(index, 'http', fuzzCase.name, wrong);
      });
      inFlight.add(sent);
    }
    done++;
    if (done % TICK_EVERY === 0) {
      for (const problem of await local.advance(done % RENDER_EVERY === 0))
        finding(index, 'in-process', 'tick', problem);
    }
    if (http !== undefined && done % SCRAPE_EVERY === 0) {
      await Promise.all(inFlight);
      await scrape(http, index, deadlineMs, crashes, hangs);
      options.progress?.(progressLine(done, indexes.length, crashes, hangs, startedMs));
    }
  }
  await Promise.all(inFlight);
  if (http !== undefined) {
    await scrape(http, indexes.at(-1) ?? 0, deadlineMs, crashes, hangs);
    await http.sampleMemory();
    reportExits(http, indexes.at(-1) ?? 0, crashes);
    await http.stop();
  }
  return {
    seed,
    cases: indexes.length,
    crashes,
    hangs,
    statuses,
    stallRetries,
    peakRssBytes: { fuzzer: process.resourceUsage().maxRSS * 1024, receiver: http?.peakRssBytes ?? 0 },
    durationMs: performance.now() - startedMs,
  };
}

/** Sends a case; one that failed across a stall of this process is sent once more. */
async function send(http: HttpTarget, fuzzCase: FuzzCase, deadlineMs: number, onRetry: () => void) {
  const outcome = await http.send(fuzzCase, deadlineMs);
  if (outcome.stalled !== true) return outcome;
  onRetry();
  return http.send(fuzzCase, deadlineMs);
}

/** Reports the receiver's exits not reported yet: each is a crash of the cases sent just before. */
function reportExits(http: HttpTarget, index: number, crashes: Finding[]): void {
  const reported = crashes.filter((crash) => crash.name === 'receiver exited').length;
  for (const exit of http.exits.slice(reported))
    crashes.push({
      index,
      target: 'http',
      name: 'receiver exited',
      detail: `${exit}, at or before this case`,
    });
}

/** Scrapes /metrics (a failure is a crash, a timeout a hang) and samples the receiver's memory. */
async function scrape(
  http: HttpTarget,
  index: number,
  deadlineMs: number,
  crashes: Finding[],
  hangs: Finding[],
) {
  if (!http.running) return;
  const scraped = await http.scrape(deadlineMs);
  if (scraped.error === 'deadline')
    hangs.push({ index, target: 'http', name: 'GET /metrics', detail: 'deadline' });
  else if (scraped.status !== 200)
    crashes.push({
      index,
      target: 'http',
      name: 'GET /metrics',
      detail: `${scraped.status ?? scraped.error} ${scraped.body?.toString('utf8', 0, 200) ?? ''}`,
    });
  await http.sampleMemory();
}

function progressLine(
  done: number,
  total: number,
  crashes: Finding[],
  hangs: Finding[],
  startedMs: number,
): string {
  const seconds = ((performance.now() - startedMs) / 1000).toFixed(0);
  const rss = (process.memoryUsage.rss() / 2 ** 20).toFixed(0);
  return `fuzz: ${done}/${total} cases, ${crashes.length} crashes, ${hangs.length} hangs, ${seconds} s, fuzzer RSS ${rss} MiB`;
}
