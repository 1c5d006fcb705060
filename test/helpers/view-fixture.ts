/**
 * A live view answer (docs/decision-api.md, "Live view API") for page tests: three services in two
 * namespaces with 15 minutes of 10 s history, built from a seeded random so every run draws the same.
 */
import { mulberry32 } from './random.ts';

/** The view's time base: a fixed instant, so histories and transitions are the same every run. */
export const VIEW_NOW_MS = Date.UTC(2026, 10, 30, 14, 0, 0);
const RESOLUTION_MS = 10_000;
const POINTS = 90;

/** One operation's history: `POINTS` points around `p95Ms`, the last `gap` of them missing (null). */
function history(p95Ms: number, budgetMs: number, seed: number) {
  const random = mulberry32(seed);
  const atMs: number[] = [];
  const p50: (number | null)[] = [];
  const p95: (number | null)[] = [];
  const p99: (number | null)[] = [];
  const budget: (number | null)[] = [];
  for (let i = 0; i < POINTS; i++) {
    atMs.push(VIEW_NOW_MS - (POINTS - 1 - i) * RESOLUTION_MS);
    const wobble = 0.85 + 0.3 * random();
    const gap = i > 20 && i < 24;
    p50.push(gap ? null : Math.round(p95Ms * 0.4 * wobble));
    p95.push(gap ? null : Math.round(p95Ms * wobble));
    p99.push(gap ? null : Math.round(p95Ms * 1.4 * wobble));
    budget.push(budgetMs);
  }
  return { atMs, p50, p95, p99, budgetMs: budget };
}

/** An operation of the view, its values from `observedMs` and `budgetMs`. */
export function viewOperation(
  operation: string,
  context: string,
  observedMs: number,
  budgetMs: number,
  seed = 1,
) {
  return {
    operation,
    context,
    percentile: 'p95',
    status: observedMs > budgetMs ? 'violated' : 'ok',
    observedMs,
    budgetMs,
    headroom: 1 - observedMs / budgetMs,
    count: 1200 + seed,
    latencyMs: { p50: Math.round(observedMs * 0.4), p95: observedMs, p99: Math.round(observedMs * 1.4) },
    history: history(observedMs, budgetMs, seed),
  };
}

type Operation = ReturnType<typeof viewOperation>;

/** A service of the view at `level`, with its operations (sorted by the caller). */
export function viewService(namespace: string, service: string, level: string, operations: Operation[]) {
  return {
    namespace,
    service,
    level,
    since: VIEW_NOW_MS - 120_000,
    overridden: false,
    disabledFeatures: level === 'NONE' ? [] : ['recommendations'],
    override: null as null | { level: string; reason: string; untilMs: number | null },
    modifiers: [] as { name: string; factor: number; untilMs: number | null }[],
    transitions:
      level === 'NONE'
        ? []
        : [
            {
              seq: 1,
              atMs: VIEW_NOW_MS - 120_000,
              from: 'NONE',
              to: level,
              reason: 'budget_violation',
              message: 'GET /cart p95 260 ms over its 200 ms budget for 30 s',
            },
          ],
    slos: [
      {
        name: `${service}-latency`,
        objective: 0.99,
        windowMs: 30 * 86_400_000,
        errorBudgetRemaining: 0.83,
        burnRates: [
          {
            severity: 'page',
            longWindowMs: 3_600_000,
            shortWindowMs: 300_000,
            long: 1.2,
            short: 0.8,
            threshold: 14.4,
          },
          {
            severity: 'ticket',
            longWindowMs: 86_400_000,
            shortWindowMs: 7_200_000,
            long: 0.9,
            short: 1.1,
            threshold: 3,
          },
        ],
      },
    ],
    admission: null as null | ReturnType<typeof viewAdmission>,
    operations,
  };
}

/** An admission state (docs/decision-api.md): SHEDDABLE shed at `shed`, the other classes open. */
function viewAdmission(shed: number) {
  const open = { probability: 0, maxProbability: 0.5, minProbability: 0, admitted: 5210, rejected: 0 };
  return {
    enabled: true,
    pressure: shed,
    classes: {
      CRITICAL_PLUS: { ...open, maxProbability: 0 },
      CRITICAL: open,
      SHEDDABLE_PLUS: { ...open, maxProbability: 0.9 },
      SHEDDABLE: { probability: shed, maxProbability: 1, minProbability: 0, admitted: 1811, rejected: 4022 },
    },
  };
}

/** A whole view of `services` (15 min of 10 s history). */
export function viewOf<S>(services: S[]) {
  return {
    generatedAtMs: VIEW_NOW_MS,
    instanceId: 'fake-instance',
    resolutionMs: RESOLUTION_MS,
    lengthMs: POINTS * RESOLUTION_MS,
    services,
  };
}

/** The whole view: checkout (MODERATE, over budget, shedding SHEDDABLE at 70 %), search (NONE, 50 % left), the stock service in `inventory`. */
export function seededView() {
  return viewOf([
    {
      ...viewService('payments', 'checkout', 'MODERATE', [
        viewOperation('POST /pay', 'routine', 260, 200, 1),
        viewOperation('GET /cart', 'routine', 120, 200, 2),
      ]),
      admission: viewAdmission(0.7),
    },
    viewService('inventory', 'stock', 'NONE', [viewOperation('GET /stock', 'routine', 160, 200, 3)]),
    viewService('payments', 'search', 'NONE', [viewOperation('GET /search', 'deliberative', 500, 1000, 4)]),
  ]);
}
