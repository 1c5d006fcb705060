import { describe, expect, it } from 'vitest';
import { AlertEvaluator, type AlertEvent } from '../../../agent/alerting/index.ts';
import type { AlertTick } from '../../../agent/alerting/types.ts';
import { SloTracker } from '../../../agent/slo/index.ts';
import { histogramBounds, SeriesTotals } from '../../../agent/window/index.ts';
import { configOf } from '../../helpers/agent.ts';
import { DEGRADED_RULE, levels, MINUTE_MS, setup } from './setup.ts';

const SLO = { name: 'checkout-latency', context: 'routine', objective: '99%' };
const BURN_RULE = { name: 'checkout-burn', kind: 'burnRate' as const, slo: 'checkout-latency' };

/** A JSON round trip, as a store does. */
const throughJson = <T>(value: T): unknown => JSON.parse(JSON.stringify(value));

function routineSeries() {
  const totals = new SeriesTotals(histogramBounds([200]));
  return { namespace: '', service: 'checkout', operation: 'pay', context: 'routine', phase: '', totals };
}

/** An agent's SLO tracker and evaluator fed one series, one tick a minute. */
function pair(harness: ReturnType<typeof setup>, slos: SloTracker, alerts: AlertEvaluator) {
  const series = routineSeries();
  const events: AlertEvent[] = [];
  alerts.onAlert((event) => events.push(event));
  const tick = (total: number, failed: number) => {
    for (let n = 0; n < total; n++) series.totals.record(100, n < failed);
    slos.observe([series], harness.clock.now());
    alerts.evaluate({ verdicts: [], series: [], levels: [], at: harness.clock.now() });
  };
  return { slos, alerts, events, tick };
}

describe('AlertEvaluator state', () => {
  it('should keep a firing page across a restart: same startsAt, no second firing, one resolution', () => {
    const harness = setup([BURN_RULE], { slos: [SLO] });
    const { clock, config } = harness;
    const before = pair(harness, harness.slos, harness.alerts);
    const run = (agents: ReturnType<typeof pair>[], minutes: number, failed: number) => {
      for (let i = 0; i < minutes; i++) {
        clock.advance(MINUTE_MS);
        for (const agent of agents) agent.tick(10, failed);
      }
    };
    before.tick(10, 0);
    run([before], 3 * 24 * 60, 0);
    run([before], 15, 10);
    expect(before.events.map((event) => event.status)).toEqual(['firing']);
    // The restart: a new tracker and evaluator restored from the exports (after a JSON round trip).
    const slos = new SloTracker({ config, clock });
    const alerts = new AlertEvaluator({ config, slos, clock });
    expect(slos.restoreState(throughJson(before.slos.exportState()))).toEqual({ restored: 1, dropped: 0 });
    expect(alerts.restoreState(throughJson(before.alerts.exportState()))).toEqual({
      restored: 1,
      dropped: 0,
    });
    expect(alerts.firing()).toEqual(before.alerts.firing());
    const after = pair(harness, slos, alerts);
    const firstEvent = before.events.length;
    run([before, after], 5, 10);
    run([before, after], 10, 0);
    run([before, after], 100, 10);
    const resolved = before.events.slice(firstEvent);
    expect(after.events).toEqual(resolved);
    expect(resolved.map((event) => [event.status, event.startsAt])).toEqual([
      ['resolved', before.events[0]?.startsAt],
      ['firing', resolved[1]?.startsAt],
    ]);
    expect(alerts.firing()).toEqual(before.alerts.firing());
  });

  it('should keep a cooldown across a restart, and resolve an alert whose rule was removed', () => {
    const { alerts, clock, config, evaluate } = setup([DEGRADED_RULE]);
    const tick = (into: AlertEvaluator, level: 'MODERATE' | 'NONE'): AlertEvent[] =>
      into.evaluate({
        verdicts: [],
        series: [],
        levels: levels({ checkout: level }),
        at: clock.now(),
      } as AlertTick);
    evaluate({ levels: levels({ checkout: 'MODERATE' }) });
    clock.advance(MINUTE_MS);
    evaluate({ levels: levels({ checkout: 'NONE' }) });
    const cooling = throughJson(alerts.exportState());
    const restored = new AlertEvaluator({ config, slos: new SloTracker({ config, clock }), clock });
    expect(restored.restoreState(cooling)).toEqual({ restored: 1, dropped: 0 });
    clock.advance(MINUTE_MS);
    expect(tick(restored, 'MODERATE')).toEqual([]);
    expect(tick(alerts, 'MODERATE')).toEqual([]);
    clock.advance(5 * MINUTE_MS);
    const firing = tick(alerts, 'MODERATE');
    expect(tick(restored, 'MODERATE')).toEqual(firing);
    expect(firing.map((event) => event.status)).toEqual(['firing']);
    // A restart on a config without the rule: its alert resolves at the first evaluation.
    const removed = configOf({});
    const without = new AlertEvaluator({
      config: removed,
      slos: new SloTracker({ config: removed, clock }),
      clock,
    });
    without.restoreState(throughJson(alerts.exportState()));
    clock.advance(MINUTE_MS);
    expect(tick(without, 'MODERATE')).toEqual([{ ...firing[0], status: 'resolved', endsAt: clock.now() }]);
    expect(without.exportState()).toEqual({
      version: 1,
      entries: [expect.objectContaining({ firing: null, quietUntilMs: clock.now() + 5 * MINUTE_MS })],
    });
  });

  it('should drop and count malformed instances and states of another version', () => {
    const { alerts, config, clock, evaluate } = setup([DEGRADED_RULE]);
    evaluate({ levels: levels({ checkout: 'MODERATE' }) });
    const state = alerts.exportState();
    const [entry] = state.entries;
    const target = () => new AlertEvaluator({ config, slos: new SloTracker({ config, clock }), clock });
    expect(target().restoreState({ ...state, version: 0 })).toEqual({ restored: 0, dropped: 1 });
    expect(target().restoreState([])).toEqual({ restored: 0, dropped: 1 });
    const firing = entry!.firing!;
    const bad = [
      null,
      { ...entry, key: 1 },
      { ...entry, rule: { ...entry!.rule, kind: 'other' } },
      { ...entry, rule: { ...entry!.rule, cooldownMs: '5m' } },
      { ...entry, rule: { ...entry!.rule, escalateAfterMs: null } },
      { ...entry, episodeStartMs: null },
      { ...entry, quietUntilMs: 'soon' },
      { ...entry, firing: { ...firing, status: 'resolved' } },
      { ...entry, firing: { ...firing, severity: 'loud' } },
      { ...entry, firing: { ...firing, labels: { service: 1 } } },
      { ...entry, firing: { ...firing, value: null } },
      { ...entry, firing: { ...firing, startsAt: '2024' } },
    ];
    const one = target();
    expect(one.restoreState({ ...state, entries: bad })).toEqual({ restored: 0, dropped: bad.length });
    expect(one.firing()).toEqual([]);
    expect(one.restoreState({ ...state, entries: [...bad, entry] })).toEqual({
      restored: 1,
      dropped: bad.length,
    });
    expect(one.firing()).toEqual(alerts.firing());
  });
});
