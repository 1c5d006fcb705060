import { describe, expect, it } from 'vitest';
import { SloTracker } from '../../../agent/slo/index.ts';
import { configOf } from '../../helpers/agent.ts';
import { DAY_MS, MINUTE_MS, ROUTINE_SLO, record, routineSeries, setup } from './setup.ts';

/** Bad events (slow, failed) of 100 in minute `minute`: a burn that varies over the day. */
function badAt(minute: number): { slow: number; errors: number } {
  return { slow: minute % 7 === 0 ? 9 : 1, errors: minute % 60 < 5 ? 6 : 0 };
}

/** A JSON round trip, as a store does. */
const throughJson = <T>(value: T): unknown => JSON.parse(JSON.stringify(value));

describe('SloTracker state', () => {
  it('should judge, burn and count exactly as the uninterrupted tracker once restored from its export', () => {
    const { clock, config, tracker } = setup();
    let pay = routineSeries();
    const minute = (at: number, series: ReturnType<typeof routineSeries>, into: SloTracker) => {
      const { slow, errors } = badAt(at);
      record(series.totals, 100 - slow - errors, slow, errors);
      into.observe([series], clock.now());
    };
    tracker.observe([pay]);
    for (let at = 1; at <= 2000; at++) {
      clock.advance(MINUTE_MS);
      minute(at, pay, tracker);
    }
    const restored = new SloTracker({ config, clock });
    expect(restored.restoreState(throughJson(tracker.exportState()))).toEqual({ restored: 1, dropped: 0 });
    expect(restored.list()).toEqual(tracker.list());
    expect(restored.events()).toEqual(tracker.events());
    // The restarted agent's series count from zero; the uninterrupted one's go on.
    const fresh = routineSeries();
    for (let at = 2001; at <= 2500; at++) {
      clock.advance(MINUTE_MS);
      minute(at, pay, tracker);
      minute(at, fresh, restored);
      if (at % 97 === 0) expect(restored.list()).toEqual(tracker.list());
    }
    expect(restored.list()).toEqual(tracker.list());
    expect(restored.events()).toEqual(tracker.events());
    expect(restored.status('checkout-latency', 'checkout')?.errorBudgetRemaining).toBeLessThan(1);
    pay = fresh;
  });

  it('should restore a tracker that then sees no series: its status stays and ages as before', () => {
    const { clock, config, tracker } = setup();
    const pay = routineSeries();
    tracker.observe([pay]);
    clock.advance(MINUTE_MS);
    record(pay.totals, 90, 10);
    tracker.observe([pay]);
    const restored = new SloTracker({ config, clock });
    restored.restoreState(throughJson(tracker.exportState()));
    clock.advance(2 * DAY_MS);
    tracker.observe([]);
    restored.observe([]);
    expect(restored.list()).toEqual(tracker.list());
    expect(restored.list()[0]?.total).toBe(100);
  });

  it('should drop and count what does not fit: another version, a removed SLO, a changed window, bad samples', () => {
    const { clock, tracker } = setup([ROUTINE_SLO, { ...ROUTINE_SLO, name: 'other' }]);
    const pay = routineSeries();
    tracker.observe([pay]);
    clock.advance(MINUTE_MS);
    record(pay.totals, 10, 1);
    tracker.observe([pay]);
    const state = tracker.exportState();
    const changed = configOf({ slos: [{ ...ROUTINE_SLO, window: '7d' }] });
    const target = () => new SloTracker({ config: changed, clock });
    expect(target().restoreState({ ...state, version: 2 })).toEqual({ restored: 0, dropped: 1 });
    expect(target().restoreState(null)).toEqual({ restored: 0, dropped: 1 });
    expect(target().restoreState(state)).toEqual({ restored: 0, dropped: 2 });
    const same = () => new SloTracker({ config: configOf({ slos: [ROUTINE_SLO] }), clock });
    const [entry] = state.entries;
    const ring = entry!.history.rings[0]!;
    const bad = [
      { ...entry, good: -1 },
      { ...entry, good: entry!.total + 1 },
      { ...entry, history: { ...entry!.history, rings: entry!.history.rings.slice(1) } },
      {
        ...entry,
        history: {
          ...entry!.history,
          rings: [{ ...ring, timesMs: [...ring.timesMs].reverse() }, ...entry!.history.rings.slice(1)],
        },
      },
      {
        ...entry,
        history: {
          ...entry!.history,
          rings: [{ ...ring, good: [Number.NaN, 1] }, ...entry!.history.rings.slice(1)],
        },
      },
      {
        ...entry,
        history: {
          ...entry!.history,
          rings: [{ ...ring, resolutionMs: 1 }, ...entry!.history.rings.slice(1)],
        },
      },
      {
        ...entry,
        history: {
          changedMs: 0,
          rings: entry!.history.rings.map((r) => ({ ...r, timesMs: [], good: [], total: [] })),
        },
      },
      { ...entry, history: { changedMs: 'x', rings: [] } },
      'entry',
    ];
    const one = same();
    expect(one.restoreState({ ...state, entries: bad })).toEqual({ restored: 0, dropped: bad.length });
    expect(one.list()).toEqual([]);
    expect(one.restoreState(state)).toEqual({ restored: 1, dropped: 1 });
    expect(one.list()).toEqual([tracker.status('checkout-latency', 'checkout')]);
  });
});
