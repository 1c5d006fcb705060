/** Shared set-up of the SLO tests: a parsed config, a manual clock at midnight UTC, hand-fed series. */
import { ManualClock } from '../../../agent/clock.ts';
import { SloTracker, type SloTrackerOptions } from '../../../agent/slo/index.ts';
import type { SloSeries } from '../../../agent/slo/types.ts';
import { histogramBounds, SeriesTotals } from '../../../agent/window/index.ts';
import type { HeadroomConfigInput } from '../../../config/index.ts';
import { configOf } from '../../helpers/agent.ts';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** 2024-01-01T00:00:00Z: whole minutes, hours and days, so window edges fall on samples. */
export const MIDNIGHT_MS = Date.UTC(2024, 0, 1);

/** The routine context's budget (ms): a good event takes 100 ms, a slow one 300 ms. */
export const GOOD_MS = 100;
export const SLOW_MS = 300;

/** One SLO, `checkout-latency`: routine operations, 95 % within budget, 30-day window. */
export const ROUTINE_SLO = { name: 'checkout-latency', context: 'routine', objective: '95%' };

/** A phase-less routine series with real cumulative totals (bounds include the 200ms budget). */
export function routineSeries(
  service = 'checkout',
  operation = 'pay',
  phase = '',
): SloSeries & {
  totals: SeriesTotals;
} {
  const totals = new SeriesTotals(histogramBounds([200]));
  return { namespace: '', service, operation, context: 'routine', phase, totals };
}

/** Records `good` fast successes, `slow` slow successes and `errors` fast failures. */
export function record(totals: SeriesTotals, good: number, slow = 0, errors = 0): void {
  for (let i = 0; i < good; i++) totals.record(GOOD_MS, false);
  for (let i = 0; i < slow; i++) totals.record(SLOW_MS, false);
  for (let i = 0; i < errors; i++) totals.record(GOOD_MS, true);
}

/** A tracker over `slos` on a clock at midnight. */
export function setup(
  slos: NonNullable<HeadroomConfigInput['slos']> = [ROUTINE_SLO],
  options: Partial<SloTrackerOptions> = {},
) {
  const clock = new ManualClock(MIDNIGHT_MS);
  const config = configOf({ slos });
  const tracker = new SloTracker({ config, clock, ...options });
  return { clock, config, tracker };
}
