/**
 * A small service that shows Headroom's API, and the demo that drives it:
 *
 *   node app/demo/demo-service.ts        (from a checkout of the repository)
 *   npx headroom demo [--duration 60s]   (from an installed package)
 *
 * The service starts Headroom, runs three operations in the three budget contexts, and skips
 * optional work when Headroom switches a feature off. The demo sends it steady traffic, slows a
 * "dependency" down for a while, and prints each degradation decision as it happens.
 */
import { relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
// A service imports all of this from 'headroom-otel'; the demo is part of the package, so it
// reaches the same exports from inside.
import type { DegradationDecision, DegradationLevel } from '../../agent/index.ts';
import type { EmbeddedHeadroom, Headroom } from '../../instrumentation/index.ts';
import { type StartOptions, startEmbedded } from '../start.ts';
import { formatDecision, formatHeader, formatOffset, formatStatus, formatSummary } from './demo-report.ts';
import { DemoTraffic, type PlannedRun, type Slowdown, STEP_MS } from './demo-traffic.ts';

// ---------------------------------------------------------------------------------------------
// The service: what a real one would write. Each operation is tracked against its context's
// budget; the sleeps stand in for real work (a database, a downstream call, a computation).
// ---------------------------------------------------------------------------------------------

/** The service's operations; `run` says how long each part of the work takes. */
function createOperations(headroom: Headroom) {
  return {
    /** emergency (50 ms): a user is waiting on the price. */
    'price-quote': (run: PlannedRun): Promise<void> =>
      headroom.track('price-quote', 'emergency', () => sleep(run.workMs)),

    /** routine (200 ms), in two phases, each judged against its share of the budget. */
    checkout: (run: PlannedRun): Promise<void> =>
      headroom.track('checkout', 'routine', async (op) => {
        await op.phase('routing', () => sleep(run.routingMs));
        await op.phase('execution', async () => {
          await sleep(run.workMs);
          // Optional work: skipped from the MINIMAL level on (see `degradation` in demo.yaml).
          // The check is a Set lookup: cheap enough for every request.
          if (headroom.features.enabled('recommendations')) await sleep(run.optionalMs);
        });
      }),

    /** deliberative (1 s): a report nobody waits on interactively. */
    'monthly-report': (run: PlannedRun): Promise<void> =>
      headroom.track('monthly-report', 'deliberative', () => sleep(run.workMs)),
  };
}

// ---------------------------------------------------------------------------------------------
// The demo: traffic, a slowdown, and what Headroom decides.
// ---------------------------------------------------------------------------------------------

/** How long the demo runs by default, ms: enough to escalate and recover back to NONE. */
export const DEFAULT_DURATION_MS = 60_000;

/** 10 s of normal traffic, then 15 s of emergency and routine work 3x slower. */
export const DEFAULT_SLOWDOWN: Slowdown = Object.freeze({ startMs: 10_000, endMs: 25_000, factor: 3 });

export interface DemoOptions {
  /** The Headroom config, e.g. examples/demo.yaml. */
  readonly configFile: string;
  /** Where the demo prints. */
  readonly io: { readonly stdout: (text: string) => void };
  /** @default DEFAULT_DURATION_MS */
  readonly durationMs?: number;
  /** @default DEFAULT_SLOWDOWN */
  readonly slowdown?: Slowdown;
  /** Seed of the simulated latencies. @default 1 */
  readonly seed?: number;
  /** Environment for the config (`${NAME}`, OTEL_*). @default process.env */
  readonly env?: StartOptions['env'];
}

/** What the demo saw, for callers that want more than the printout. */
export interface DemoResult {
  readonly decisions: readonly DegradationDecision[];
  readonly finalLevel: DegradationLevel;
}

/**
 * Runs the demo for `durationMs`, then waits for the runs in flight, prints the summary and shuts
 * Headroom down: it leaves no timer behind.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { io } = options;
  const durationMs = options.durationMs ?? DEFAULT_DURATION_MS;
  const slowdown = options.slowdown ?? DEFAULT_SLOWDOWN;
  const headroom = startEmbedded({ configFiles: [options.configFile], env: options.env });
  const startedMs = headroom.agent.clock.now();
  const configFile = relative(process.cwd(), options.configFile) || options.configFile;
  const metrics = await headroom.metricsEndpoint();
  io.stdout(formatHeader(headroom, { configFile, durationMs, slowdown, metrics }));

  // React to decisions as they happen: here, print them. A service could also log, page or
  // shed load; most just read `headroom.features.enabled(...)` where it matters.
  const stopDecisions = headroom.onDecision((decision) => {
    io.stdout(`${formatDecision(decision, startedMs)}\n`);
  });
  const stopStatus = printStatusEvery(5, headroom, startedMs, io);

  const stopTraffic = startTraffic(headroom, new DemoTraffic({ slowdown, seed: options.seed }), io);

  try {
    await sleep(durationMs);
  } finally {
    await stopTraffic();
    stopDecisions();
    stopStatus();
    io.stdout(formatSummary(headroom, startedMs));
    await headroom.shutdown();
  }
  return { decisions: headroom.auditLog.entries(), finalLevel: headroom.level };
}

/**
 * Every STEP_MS, starts the runs `traffic` plans, and marks the start and end of its slowdown.
 * Returns the function that stops the traffic and waits for the runs in flight.
 */
function startTraffic(
  headroom: EmbeddedHeadroom,
  traffic: DemoTraffic,
  io: DemoOptions['io'],
): () => Promise<void> {
  const operations = createOperations(headroom);
  const startedMs = headroom.agent.clock.now();
  const inFlight = new Set<Promise<void>>();
  let wasSlowed = false;
  const timer = setInterval(() => {
    const elapsedMs = headroom.agent.clock.now() - startedMs;
    if (traffic.slowed(elapsedMs) !== wasSlowed) {
      wasSlowed = !wasSlowed;
      const what = wasSlowed ? `slowdown begins: work ${traffic.slowdown.factor}x slower` : 'slowdown ends';
      io.stdout(`${formatOffset(elapsedMs, 0)}  --- ${what} ---\n`);
    }
    for (const run of traffic.step(elapsedMs)) {
      const done: Promise<void> = operations[run.operation.name](run).finally(() => inFlight.delete(done));
      inFlight.add(done);
    }
  }, STEP_MS);
  return async () => {
    clearInterval(timer);
    await Promise.allSettled(inFlight);
  };
}

/** Prints the level and each operation's p95 every `ticks` evaluation ticks; returns the stop function. */
function printStatusEvery(
  ticks: number,
  headroom: EmbeddedHeadroom,
  startedMs: number,
  io: DemoOptions['io'],
): () => void {
  let count = 0;
  return headroom.agent.onTick((tick) => {
    if (++count % ticks === 0)
      io.stdout(`${formatStatus(tick.at, startedMs, headroom.level, tick.verdicts)}\n`);
  });
}

// `node app/demo/demo-service.ts` runs the demo; importing this file does not.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runDemo({
    configFile: fileURLToPath(new URL('./demo.yaml', import.meta.url)),
    io: { stdout: (text) => process.stdout.write(text) },
  });
}
