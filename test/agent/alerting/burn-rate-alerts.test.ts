import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../../agent/alerting/index.ts';
import { histogramBounds, SeriesTotals } from '../../../agent/window/index.ts';
import { DAY_MS, MINUTE_MS, setup } from './setup.ts';

const SLO = { name: 'checkout-latency', context: 'routine', objective: '99%' };
const RULE = { name: 'checkout-burn', kind: 'burnRate' as const, slo: 'checkout-latency' };
const LABELS = {
  alertname: 'checkout-burn',
  context: 'routine',
  service: 'checkout',
  slo: 'checkout-latency',
};
const BUDGET = 1 - 0.99;

/** One routine series fed `total` operations a minute, `failed` of them failing; one evaluation a minute. */
function burnScenario(trackerOptions = {}) {
  const harness = setup([RULE], { slos: [SLO] }, trackerOptions);
  const series = {
    namespace: '',
    service: 'checkout',
    operation: 'pay',
    context: 'routine',
    phase: '',
    totals: new SeriesTotals(histogramBounds([200])),
  };
  const events: { minute: number; event: AlertEvent }[] = [];
  let minute = 0;
  const observe = () => {
    harness.slos.observe([series], harness.clock.now());
    for (const event of harness.evaluate()) events.push({ minute, event });
  };
  observe();
  /** Runs `minutes` one-minute ticks of `total` operations, `failed` of them failing. */
  const run = (minutes: number, total: number, failed: number) => {
    for (let i = 0; i < minutes; i++) {
      harness.clock.advance(MINUTE_MS);
      minute++;
      for (let n = 0; n < total; n++) series.totals.record(100, n < failed);
      observe();
    }
  };
  return { ...harness, events, run };
}

describe('burn-rate alerts (multi-window, multi-burn-rate)', () => {
  it('should page on a total outage once 1h burns above 14.4x (9 minutes), and resolve 5 minutes after it ends', () => {
    const { clock, events, run } = burnScenario();
    const day3 = 3 * 24 * 60;
    run(day3, 10, 0);
    // 100 % errors: burn(1h) = (m/60) / 1% exceeds 14.4 once m/60 > 0.144, at m = 9 (8.64 rounded up);
    // burn(5m) is then 100.
    run(20, 10, 10);
    const pageMs = clock.now() - 11 * MINUTE_MS;
    // Back to normal: the 5-minute window is clean after 5 minutes; 6h/30m never reached 6 (20/360 / 1%).
    run(10, 10, 0);
    const page: AlertEvent = {
      status: 'firing',
      fingerprint:
        '{alertname="checkout-burn",context="routine",service="checkout",severity="page",slo="checkout-latency"}',
      instance: '{alertname="checkout-burn",context="routine",service="checkout",slo="checkout-latency"}',
      rule: 'checkout-burn',
      kind: 'burnRate',
      severity: 'page',
      labels: { ...LABELS, severity: 'page' },
      annotations: {
        summary: 'checkout-latency of checkout burns its error budget at 15x over 1h',
        description:
          'Burn rate 15x over 1h and 100x over 5m, above 14.4x (2% of the budget in 1h); objective 99%, 79.21% of the 30d error budget left, spent in 1d14h at the 1h rate.',
      },
      startsAt: pageMs,
      value: 0.15 / BUDGET,
    };
    expect(events).toEqual([
      { minute: day3 + 9, event: page },
      {
        minute: day3 + 25,
        event: {
          ...page,
          status: 'resolved',
          annotations: {
            summary: 'checkout-latency of checkout burns its error budget at 33.33x over 1h',
            description:
              'No burn-rate window pair exceeds its threshold; 53.97% of the 30d error budget left, spent in 11h39m at the 1h rate.',
          },
          endsAt: pageMs + 16 * MINUTE_MS,
          value: 200 / 600 / BUDGET,
        },
      },
    ]);
  });

  it('should ticket a slow 2x burn once 3d exceeds 1x (after 36 hours) and never page', () => {
    // One-minute samples over the whole span, so every window starts on a sample and 2x is exact.
    const { alerts, events, run } = burnScenario({
      tiers: () => [{ resolutionMs: MINUTE_MS, spanMs: 30 * DAY_MS }],
    });
    const day3 = 3 * 24 * 60;
    run(day3, 100, 0);
    // 2 % errors: burn 2 on every window; 3d/6h fires once 2 m / 4320 > 1, at m = 2161.
    run(4 * 24 * 60, 100, 2);
    expect(events.map(({ minute, event }) => [minute - day3, event.status, event.severity])).toEqual([
      [2161, 'firing', 'ticket'],
    ]);
    expect(events[0]?.event).toMatchObject({
      labels: { ...LABELS, severity: 'ticket' },
      value: 4322 / 432_000 / BUDGET,
      annotations: { summary: 'checkout-latency of checkout burns its error budget at 1x over 3d' },
    });
    expect(alerts.firing().map((event) => [event.severity, event.value])).toEqual([
      ['ticket', 2 / 100 / BUDGET],
    ]);
  });
});
