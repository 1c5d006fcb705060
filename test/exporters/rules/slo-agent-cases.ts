/**
 * The SLI cases fed both to the agent (an `SloTracker` over real series totals) and, as the
 * counters the agent exports, to Prometheus (`promtool test rules`): per minute, the operations
 * recorded in the minute before the agent's observation at its end.
 */
import { ManualClock } from '../../../agent/clock.ts';
import { SloTracker } from '../../../agent/slo/index.ts';
import { histogramBounds, SeriesTotals } from '../../../agent/window/index.ts';
import type { ResolvedConfig } from '../../../config/index.ts';

export const MINUTE_MS = 60_000;
/** Agent time of promtool's time 0: whole minutes, as promtool's samples. */
const ORIGIN_MS = Date.UTC(2024, 0, 1);

/** One minute of operations: fast successes, slow successes (over the budget), fast and slow failures. */
export interface Minute {
  readonly fast?: number;
  readonly slow?: number;
  readonly failed?: number;
  readonly slowFailed?: number;
}

/** A case: its operations, minute by minute from minute 1, and the minutes to compare at. */
export interface SliCase {
  readonly name: string;
  readonly minutes: readonly Minute[];
  readonly evalMinutes: readonly number[];
}

/** The agent's counters and status after each observed minute. */
export interface AgentRun {
  /** Per minute from 0: the exported counters, `undefined` before the SLO first saw the service. */
  readonly counters: readonly ({ good: number; bad: number; startMinute: number } | undefined)[];
  /** Per evaluation minute: the agent's error ratio per window (ms) and budget left. */
  readonly at: ReadonlyMap<
    number,
    { ratios: ReadonlyMap<number, number>; remaining: number; burn5m: number }
  >;
}

const repeat = (count: number, minute: Minute): Minute[] => Array.from({ length: count }, () => minute);

/** The four cases of issue 10: idle gaps, fast failures, slow successes, low traffic. */
export const CASES: readonly SliCase[] = [
  {
    name: 'idle gap: 0.5 % failing, 20 idle minutes, then clean traffic',
    minutes: [...repeat(30, { fast: 199, failed: 1 }), ...repeat(20, {}), ...repeat(40, { fast: 100 })],
    evalMinutes: [30, 35, 45, 50, 52, 55, 60, 80, 90],
  },
  {
    name: 'fast failures: every other operation fails at once',
    minutes: [...repeat(60, { fast: 100 }), ...repeat(65, { fast: 50, failed: 50 })],
    evalMinutes: [60, 61, 65, 90, 120, 125],
  },
  {
    name: 'slow successes: 30 % succeed over budget',
    minutes: [...repeat(30, { fast: 100 }), ...repeat(65, { fast: 70, slow: 30 })],
    evalMinutes: [30, 31, 35, 60, 95],
  },
  {
    name: 'low traffic: one operation every 7 minutes, the third one slow and failed',
    minutes: Array.from({ length: 70 }, (_, i): Minute => {
      if (i % 7 !== 0) return {};
      return i === 14 ? { slowFailed: 1 } : { fast: 1 };
    }),
    evalMinutes: [1, 5, 14, 15, 20, 21, 22, 35, 50, 70],
  },
];

/** Runs `sliCase` through an SLO tracker for `config`'s first SLO and its emergency context. */
export function runAgent(config: ResolvedConfig, sliCase: SliCase, windowsMs: readonly number[]): AgentRun {
  const slo = config.slos[0]?.name as string;
  const clock = new ManualClock(ORIGIN_MS);
  const tracker = new SloTracker({ config, clock });
  const budgetMs = config.contexts.emergency?.budgetMs as number;
  const totals = new SeriesTotals(histogramBounds([budgetMs]));
  const series = {
    namespace: '',
    service: 'checkout',
    operation: 'quote',
    context: 'emergency',
    phase: '',
    totals,
  };
  const counters: AgentRun['counters'][number][] = [];
  const at = new Map<number, { ratios: Map<number, number>; remaining: number; burn5m: number }>();
  tracker.observe([], clock.now());
  counters.push(undefined);
  sliCase.minutes.forEach((minute, index) => {
    record(totals, minute, budgetMs);
    clock.advance(MINUTE_MS);
    // The series exists once it has an operation (as in the agent's registry).
    tracker.observe(totals.count > 0 ? [series] : [], clock.now());
    const [events] = tracker.events();
    counters.push(
      events === undefined
        ? undefined
        : {
            good: events.good,
            bad: events.total - events.good,
            startMinute: (events.startMs - ORIGIN_MS) / MINUTE_MS,
          },
    );
    const status = tracker.status(slo, 'checkout');
    if (status !== undefined && sliCase.evalMinutes.includes(index + 1)) {
      const ratios = new Map(windowsMs.map((w) => [w, tracker.errorRatio(slo, 'checkout', w) as number]));
      at.set(index + 1, { ratios, remaining: status.errorBudgetRemaining, burn5m: status.burnRates['5m'] });
    }
  });
  return { counters, at };
}

function record(totals: SeriesTotals, minute: Minute, budgetMs: number): void {
  for (let i = 0; i < (minute.fast ?? 0); i++) totals.record(budgetMs / 5, false);
  for (let i = 0; i < (minute.slow ?? 0); i++) totals.record(budgetMs * 1.6, false);
  for (let i = 0; i < (minute.failed ?? 0); i++) totals.record(budgetMs / 5, true);
  for (let i = 0; i < (minute.slowFailed ?? 0); i++) totals.record(budgetMs * 1.6, true);
}
