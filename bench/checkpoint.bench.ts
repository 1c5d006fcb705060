// Cost of collector mode's checkpoints (issue 12): 1,000 series (100 services x 10 operations) at
// 10 operations/s each, one SLO over every service with a burn-rate alert rule, the service
// directory, checkpoints every 5 s (the default `storage.checkpointInterval`) into a real SQLite
// store in a temporary directory. Time is simulated on a ManualClock (spans, ticks, checkpoints);
// only the checkpoints are measured: main-thread CPU (`process.threadCpuUsage`, the synchronous
// SQLite write included) and the bytes written (JSON values, and what the process passed to
// write(2), from /proc/self/io `wchar`). CPU % of one core = checkpoint CPU / simulated time.
//   node bench/checkpoint.bench.ts [--minutes N] [--warmup N]   (default 5 measured after 20 of warm-up)
// Exits 1 unless CPU stays under 1 % of one core.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, connectAlerting, ManualClock } from '../agent/index.ts';
import { createAlertState } from '../app/alerting.ts';
import { createJsonLogger } from '../app/logging.ts';
import { StateCheckpoints } from '../app/state-checkpoints.ts';
import { ServiceDirectory } from '../collector/index.ts';
import { resolveConfig } from '../config/index.ts';
import { mulberry32 } from '../test/helpers/random.ts';
import { formatTable, median, quantile } from './harness.ts';

const SERVICES = 100;
const OPERATIONS = 10;
const OPS_PER_SECOND = 10;
/** The value of `--name N` on the command line, else `fallback`. */
function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}
const WARMUP_MINUTES = argument('warmup', 20);
const MINUTES = argument('minutes', 5);

/** Bytes this process has passed to write(2) so far (Linux); NaN elsewhere. */
function writtenChars(): number {
  try {
    return Number(/wchar: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))?.[1]);
  } catch {
    return Number.NaN;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'headroom-checkpoint-bench-'));
const path = join(dir, 'state.db');
const config = resolveConfig({
  config: {
    storage: { path },
    slos: [{ name: 'availability', context: 'routine', objective: '99.9%' }],
    alerting: { channels: [], rules: [{ name: 'availability-burn', kind: 'burnRate', slo: 'availability' }] },
  },
});
const intervalMs = config.storage.checkpointIntervalMs;
const clock = new ManualClock(Date.UTC(2026, 0, 1));
const agent = new Agent({ config, clock, processLoad: false });
const state = createAlertState(agent);
const directory = new ServiceDirectory({ limits: agent.registry.limits });
const { logger } = createJsonLogger({ env: {}, base: {}, destination: { write: () => {} } });
const checkpoints = await StateCheckpoints.open(
  { path, lockTimeoutMs: config.storage.lockTimeoutMs },
  { agent, ...state, directory },
  logger,
);
connectAlerting(agent, state);
agent.start();

const handles = Array.from({ length: SERVICES * OPERATIONS }, (_, i) =>
  agent.series({
    service: `svc-${Math.floor(i / OPERATIONS)}`,
    operation: `op-${i % OPERATIONS}`,
    context: 'routine',
  }),
);
const next = mulberry32(12);
const cpuMs: number[] = [];
const wallMs: number[] = [];
let wchar = 0;

/** One simulated second: every series gets its operations (0.1 % failed), then the clock moves. */
function second(): void {
  const nowMs = clock.now();
  for (const handle of handles) {
    // Durations in whole nanoseconds, as OTLP spans carry them.
    for (let i = 0; i < OPS_PER_SECOND; i++)
      handle.record(Math.round((20 + next() * 80) * 1e6) / 1e6, next() < 0.001, nowMs + i * 97);
  }
  for (let s = 0; s < SERVICES; s++) directory.admit(`svc-${s}`, '', nowMs);
  clock.advance(1000);
}

/** One checkpoint, measured when `measured`. */
function checkpoint(measured: boolean): void {
  const chars = writtenChars();
  const cpu = process.threadCpuUsage();
  const start = performance.now();
  checkpoints.checkpoint();
  const elapsed = performance.now() - start;
  const used = process.threadCpuUsage(cpu);
  if (!measured) return;
  wallMs.push(elapsed);
  cpuMs.push((used.user + used.system) / 1000);
  wchar += writtenChars() - chars;
}

const perCheckpoint = intervalMs / 1000;
for (let s = 0; s < WARMUP_MINUTES * 60; s++) {
  second();
  if ((s + 1) % perCheckpoint === 0) checkpoint(false);
}
const before = checkpoints.stats;
for (let s = 0; s < MINUTES * 60; s++) {
  second();
  if ((s + 1) % perCheckpoint === 0) checkpoint(true);
}
const after = checkpoints.stats;
const simulatedS = MINUTES * 60;
const cpuTotalMs = cpuMs.reduce((a, b) => a + b, 0);
const cpuPercent = (cpuTotalMs / (simulatedS * 1000)) * 100;
const bytesPerS = (after.bytes - before.bytes) / simulatedS;
const records = (after.records - before.records) / cpuMs.length;
agent.stop();
checkpoints.close();
const storeBytes = statSync(path).size;
rmSync(dir, { recursive: true, force: true });

const fmt = (n: number, digits = 2) => n.toFixed(digits);
console.log(
  `${SERVICES * OPERATIONS} series x ${OPS_PER_SECOND} ops/s, checkpoint every ${intervalMs / 1000} s, ${MINUTES} min measured after ${WARMUP_MINUTES} of warm-up (${cpuMs.length} checkpoints)`,
);
console.log(
  formatTable(
    ['', 'median', 'p95', 'max'],
    [
      ['checkpoint CPU, ms', fmt(median(cpuMs)), fmt(quantile(cpuMs, 0.95)), fmt(Math.max(...cpuMs))],
      ['checkpoint wall, ms', fmt(median(wallMs)), fmt(quantile(wallMs, 0.95)), fmt(Math.max(...wallMs))],
    ],
  ),
);
console.log(
  `records written per checkpoint: ${fmt(records, 1)}; store file at the end: ${fmt(storeBytes / 1024, 0)} KiB`,
);
console.log(
  `bytes written: ${fmt(bytesPerS / 1024, 1)} KiB/s of JSON values, ${fmt(wchar / simulatedS / 1024, 1)} KiB/s passed to write(2) (WAL pages)`,
);
const pass = cpuPercent < 1;
console.log(`CPU: ${fmt(cpuPercent, 3)} % of one core (limit 1 %): ${pass ? 'PASS' : 'FAIL'}`);
if (!pass) process.exitCode = 1;
