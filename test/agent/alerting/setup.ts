/** Shared set-up of the alerting tests: parsed config, a manual clock at midnight UTC, stub series. */
import { AlertEvaluator } from '../../../agent/alerting/index.ts';
import type { AlertEvent, AlertSeries, AlertTick, ServiceLevel } from '../../../agent/alerting/types.ts';
import type { SeriesKey } from '../../../agent/budget/types.ts';
import { ManualClock } from '../../../agent/clock.ts';
import type { DegradationLevel } from '../../../agent/degradation/index.ts';
import { SloTracker, type SloTrackerOptions } from '../../../agent/slo/index.ts';
import type { WindowSnapshot } from '../../../agent/window/index.ts';
import type { HeadroomConfigInput } from '../../../config/index.ts';
import { configOf } from '../../helpers/agent.ts';

export const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** A degradation rule: warns at MODERATE and above, 5 minutes of cooldown, to the log channel. */
export const DEGRADED_RULE = {
  name: 'degraded',
  kind: 'degradation' as const,
  level: 'MODERATE' as const,
  cooldown: '5m',
  channels: ['log'],
};

/** 2024-01-01T00:00:00Z. */
const MIDNIGHT_MS = Date.UTC(2024, 0, 1);

type AlertingInput = NonNullable<HeadroomConfigInput['alerting']>;
type Rules = NonNullable<AlertingInput['rules']>;

/** An evaluator (and its SLO tracker) over `rules`, recording every event it publishes. */
export function setup(
  rules: Rules,
  input: Omit<HeadroomConfigInput, 'alerting'> = {},
  trackerOptions: Partial<SloTrackerOptions> = {},
) {
  const clock = new ManualClock(MIDNIGHT_MS);
  const config = configOf({ ...input, alerting: { rules } });
  const slos = new SloTracker({ config, clock, ...trackerOptions });
  const alerts = new AlertEvaluator({ config, slos, clock });
  const events: AlertEvent[] = [];
  alerts.onAlert((event) => events.push(event));
  /** Evaluates at the clock's time; returns the events of this evaluation. */
  const evaluate = (tick: Partial<AlertTick> = {}): AlertEvent[] =>
    alerts.evaluate({ verdicts: [], series: [], levels: [], at: clock.now(), ...tick });
  return { clock, config, slos, alerts, events, evaluate };
}

/** The degradation levels of a tick, services of the empty namespace by name. */
export function levels(entries: Record<string, DegradationLevel>): readonly ServiceLevel[] {
  return Object.entries(entries).map(([service, level]) => ({ namespace: '', service, level }));
}

/** A full window snapshot: `count` samples, `errorCount` failed, every percentile at `latencyMs` but p99 at twice. */
export function snapshotOf(count: number, errorCount = 0, latencyMs = 100): WindowSnapshot {
  return {
    windowMs: 60_000,
    count,
    errorCount,
    errorRate: count === 0 ? 0 : errorCount / count,
    ratePerSecond: count / 60,
    p50: latencyMs,
    p90: latencyMs,
    p95: latencyMs,
    p99: 2 * latencyMs,
    p999: 2 * latencyMs,
    minMs: latencyMs,
    maxMs: 2 * latencyMs,
  };
}

/** A series whose window always answers `snapshot`; counts its queries. */
export function stubSeries(
  key: Partial<SeriesKey>,
  snapshot: WindowSnapshot,
): AlertSeries & { queries: number } {
  const series = {
    namespace: '',
    service: 'checkout',
    operation: 'pay',
    context: 'routine',
    phase: '',
    ...key,
    queries: 0,
    window: {
      snapshot: (_nowMs: number) => {
        series.queries++;
        return snapshot;
      },
    },
  };
  return series;
}
