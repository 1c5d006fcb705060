/**
 * The demo's simulated traffic: which operations start in each 100 ms step and how long each part
 * of them takes. It is a pure plan (a seeded random source, no clock, no timers): the demo service
 * plays it with real timers, and the tests feed the same plan to the agent on a manual clock.
 */

/** The demo service's operations. */
export type DemoOperationName = 'price-quote' | 'checkout' | 'monthly-report';

/** One operation of the demo service and its simulated latency. */
export interface DemoOperation {
  readonly name: DemoOperationName;
  /** Budget context it runs in (see examples/demo.yaml). */
  readonly context: string;
  /** Runs started per {@link STEP_MS} step. */
  readonly runsPerStep: number;
  /** Median time to pick a route (checkout's `routing` phase), ms; 0 when the operation has none. */
  readonly routingMs: number;
  /** Median of the main work, ms; the slowdown multiplies it. */
  readonly workMs: number;
  /** Median of the optional work (recommendations), ms; 0 when the operation has none. */
  readonly optionalMs: number;
}

/** The traffic is planned in steps of this length, ms. */
export const STEP_MS = 100;

/**
 * Medians around 40 % of each budget; with the spread of {@link SIGMA} the p95 is about 60 % of
 * it, and x3 during the slowdown about 180 %: over MODERATE's 1.25x, under CRITICAL's 2x.
 */
export const DEMO_OPERATIONS: readonly DemoOperation[] = Object.freeze([
  // emergency, 50ms budget: 40 runs/s
  { name: 'price-quote', context: 'emergency', runsPerStep: 4, routingMs: 0, workMs: 20, optionalMs: 0 },
  // routine, 200ms budget: 30 runs/s; routing (10 % share) + execution (70 %) with recommendations
  { name: 'checkout', context: 'routine', runsPerStep: 3, routingMs: 8, workMs: 62, optionalMs: 10 },
  // deliberative, 1 s budget: 20 runs/s; never slowed down
  {
    name: 'monthly-report',
    context: 'deliberative',
    runsPerStep: 2,
    routingMs: 0,
    workMs: 400,
    optionalMs: 0,
  },
]);

/** Spread of the log-normal latencies (sigma of the underlying normal). */
const SIGMA = 0.25;

/** A period during which some contexts' main work is slower. */
export interface Slowdown {
  /** When it begins, ms after the demo started. */
  readonly startMs: number;
  /** When it ends, ms after the demo started. */
  readonly endMs: number;
  /** Multiplier of the main work's latency, e.g. 3. */
  readonly factor: number;
  /** Contexts it slows down. @default ['emergency', 'routine'] */
  readonly contexts?: readonly string[];
}

/** One run of an operation, with the latency of each of its parts, ms. */
export interface PlannedRun {
  readonly operation: DemoOperation;
  readonly routingMs: number;
  readonly workMs: number;
  /** Spent only while the `recommendations` feature is on. */
  readonly optionalMs: number;
}

export interface DemoTrafficOptions {
  readonly slowdown: Slowdown;
  /** Seed of the random source: the same seed plans the same runs. @default 1 */
  readonly seed?: number;
}

/** Plans the demo's runs, step by step. */
export class DemoTraffic {
  readonly slowdown: Slowdown;
  readonly #slowedContexts: ReadonlySet<string>;
  readonly #random: () => number;

  constructor(options: DemoTrafficOptions) {
    this.slowdown = options.slowdown;
    this.#slowedContexts = new Set(options.slowdown.contexts ?? ['emergency', 'routine']);
    this.#random = mulberry32(options.seed ?? 1);
  }

  /** true while the slowdown is on, `elapsedMs` after the start. */
  slowed(elapsedMs: number): boolean {
    return elapsedMs >= this.slowdown.startMs && elapsedMs < this.slowdown.endMs;
  }

  /** The runs started in the step that begins `elapsedMs` after the start. */
  step(elapsedMs: number): PlannedRun[] {
    const runs: PlannedRun[] = [];
    for (const operation of DEMO_OPERATIONS) {
      const factor =
        this.slowed(elapsedMs) && this.#slowedContexts.has(operation.context) ? this.slowdown.factor : 1;
      for (let i = 0; i < operation.runsPerStep; i++) {
        runs.push({
          operation,
          routingMs: this.#logNormal(operation.routingMs),
          workMs: this.#logNormal(operation.workMs) * factor,
          optionalMs: this.#logNormal(operation.optionalMs),
        });
      }
    }
    return runs;
  }

  /** A log-normal draw with median `medianMs` (0 stays 0). */
  #logNormal(medianMs: number): number {
    if (medianMs === 0) return 0;
    const u1 = 1 - this.#random(); // (0, 1]: log(0) would be -Infinity
    const u2 = this.#random();
    const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return medianMs * Math.exp(SIGMA * normal);
  }
}

/** mulberry32: a tiny seeded PRNG yielding floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
