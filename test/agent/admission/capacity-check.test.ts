// The check of lost capacity (review15e H1), step by step: armed by a load offered clearly under
// the healthy rate, started where the ramp would stall, judged a step delay later by whether what
// the service finishes fell with the shedding.
import { describe, expect, it } from 'vitest';
import {
  type CapacitySample,
  capacityMove,
  capacitySample,
} from '../../../agent/admission/capacity-check.ts';

const RATE = { learned: { perSecond: 80, atMs: 0 }, pending: [] };
const none = { CRITICAL_PLUS: 0, CRITICAL: 0, SHEDDABLE_PLUS: 0, SHEDDABLE: 0 };
const timing = (nowMs: number, stalling = true) => ({ nowMs, delayMs: 4000, stalling });
/** 150 operations finished over 3 s (50 a second), SHEDDABLE shed at `shed`, finishing `sheddable` of them. */
const sample = (shed: number, sheddable: number, arms = true, unknown = false): CapacitySample => ({
  arms,
  unknown,
  finished: [15, 30, 0, sheddable],
  shares: [0, 0, 0, shed],
  settling: false,
  inFlightMs: 0,
});

describe('capacitySample', () => {
  it('should compare the load offered, shedding undone, with the healthy rate', () => {
    const finished = { ...none, CRITICAL_PLUS: 24, CRITICAL: 48, SHEDDABLE: 78 };
    const shares = { ...none, SHEDDABLE: 0.4 };
    const inputs = { rate: RATE, windowMs: 3000, finished, shares, requests: undefined, inProcess: false };
    // Collector mode: 24 + 48 + 78 / 0.6 = 202 over 3 s, 67 a second: under 72 (80 less 10 %).
    expect(capacitySample(inputs)).toEqual({
      arms: true,
      unknown: false,
      // Per second: the window read may reach back further by the verdict (review15f H3).
      finished: [8, 16, 0, 26],
      shares: [0, 0, 0, 0.4],
      settling: false,
      inFlightMs: 0,
    });
    // A class shed entirely counts its requests (spans naming it): 24 + 48 + 150 = 222, 74 a second.
    const all = { ...inputs, shares: { ...none, SHEDDABLE: 1 }, requests: { ...none, SHEDDABLE: 150 } };
    expect(capacitySample(all).arms).toBe(false);
    // In process: the requests offered to admit(), 210 over 3 s, 70 a second.
    const offered = { ...none, CRITICAL_PLUS: 21, CRITICAL: 42, SHEDDABLE: 147 };
    expect(capacitySample({ ...inputs, requests: offered, inProcess: true }).arms).toBe(true);
    expect(capacitySample({ ...inputs, requests: undefined, inProcess: true }).arms).toBe(true);
    // No rate learned where admit() runs here (review15f M2: an instance started into an overload):
    // armed, the finished rate tells; in collector mode (`headroom agent` keeps the rate) not.
    for (const rate of [undefined, { pending: [] }]) {
      const unknown = { ...inputs, rate, requests: offered, inProcess: true };
      expect(capacitySample(unknown)).toMatchObject({ arms: true, unknown: true });
      expect(capacitySample({ ...unknown, inProcess: false })).toMatchObject({ arms: false, unknown: false });
    }
  });
});

describe('capacityMove', () => {
  it('should arm, start where the ramp would stall, rise while pending and judge a step delay later', () => {
    expect(capacityMove(undefined, undefined, timing(1000))).toEqual({ rise: false, check: undefined });
    expect(capacityMove(undefined, sample(0, 105, false), timing(1000))).toEqual({
      rise: false,
      check: undefined,
    });
    const armed = capacityMove(undefined, sample(0.1, 105), timing(1000, false));
    expect(armed).toEqual({ rise: false, check: { underMs: 1000 } });
    const started = capacityMove(armed.check, sample(0.4, 105), timing(5000));
    const start = { atMs: 5000, finished: [15, 30, 0, 105], shares: [0, 0, 0, 0.4], inFlightMs: 0 };
    expect(started).toEqual({ rise: true, check: { underMs: 1000, start } });
    expect(capacityMove(started.check, sample(0.6, 105), timing(8999))).toEqual(started);
    // SHEDDABLE let in 0.2 / 0.6 of what it was: a service keeping up would finish 45 + 35 = 80.
    const lost = capacityMove(started.check, sample(0.8, 100), timing(9000));
    expect(lost).toEqual({ rise: true, check: { underMs: 1000, start, verdict: 'lost' } });
    expect(capacityMove(lost.check, sample(0.9, 100, false), timing(20_000))).toEqual(lost);
    // It finished 150 - 85 = 65 less, more than half the fall of 70 predicted: it keeps up.
    const kept = capacityMove(started.check, sample(0.8, 40), timing(9000));
    expect(kept).toEqual({ rise: false, check: { underMs: 1000, start, verdict: 'kept' } });
    expect(capacityMove(kept.check, sample(0.9, 30), timing(20_000))).toEqual(kept);
  });

  it('should wait for the verdict, without rising, while the requests admitted before the shedding still finish', () => {
    // Where admit() runs here, fewer admitted than finish over the window (review15e H2): with a
    // latency over the step delay the shedding has not reached the completions yet, and the 100
    // still finishing would read as a capacity that held.
    const start = { atMs: 5000, finished: [15, 30, 0, 105], shares: [0, 0, 0, 0.4] };
    const pending = { underMs: 1000, start };
    const settling = { ...sample(0.8, 100), settling: true };
    expect(capacityMove(pending, settling, timing(9000))).toEqual({ rise: false, check: pending });
    expect(capacityMove(pending, settling, timing(12_000))).toEqual({ rise: false, check: pending });
    // Once the flow is steady the finished rate shows it: 150 - 80 = 70, more than half of 70.
    const kept = capacityMove(pending, sample(0.8, 35), timing(13_000));
    expect(kept).toEqual({ rise: false, check: { ...pending, verdict: 'kept' } });
  });

  it('should wait while the flow drains no longer than the requests in flight at the start had waited (Little)', () => {
    // 6 s waited by the count at the start: the verdict waits a step delay (4 s) and those 6 s; a
    // FIFO still draining then drains at its capacity, whatever is shed (review15f M2 at 20 a
    // second: held 93 s at 3.5-4.5x the budget while the flow drained 10 % under it).
    const start = { atMs: 5000, finished: [15, 30, 0, 105], shares: [0, 0, 0, 0.4], inFlightMs: 6000 };
    const pending = { underMs: 1000, start };
    const settling = { ...sample(0.8, 100), settling: true };
    expect(capacityMove(pending, settling, timing(14_999))).toEqual({ rise: false, check: pending });
    expect(capacityMove(pending, settling, timing(15_000))).toEqual({
      rise: true,
      check: { ...pending, verdict: 'lost' },
    });
    // A start read from a snapshot written before the bound waits while the flow drains, as before.
    const { inFlightMs: _waited, ...old } = start;
    const restored = { underMs: 1000, start: old };
    expect(capacityMove(restored, settling, timing(60_000))).toEqual({ rise: false, check: restored });
    // The sample carries the wait the flow implies where admit() runs here, 0 in collector mode.
    const inputs = { rate: RATE, windowMs: 3000, finished: none, shares: none, requests: undefined };
    expect(capacitySample({ ...inputs, inProcess: true, inFlightMs: 2500 }).inFlightMs).toBe(2500);
    expect(capacitySample({ ...inputs, inProcess: false }).inFlightMs).toBe(0);
  });

  it('should start at once with no healthy rate, and judge where the ramp would stall a step delay later (review15f M2)', () => {
    // Armed at the ramp's second tick with its shedding then: no step delay more of rising.
    const armed = capacityMove(undefined, sample(0.1, 105, true, true), timing(1000, false));
    const start = { atMs: 1000, finished: [15, 30, 0, 105], shares: [0, 0, 0, 0.1], inFlightMs: 0 };
    expect(armed).toEqual({ rise: false, check: { underMs: 1000, start } });
    expect(capacityMove(armed.check, sample(0.4, 105, true, true), timing(4999))).toEqual({
      ...armed,
      rise: true,
    });
    // SHEDDABLE let in 0.5 / 0.9 of what it was: 45 + 58.3 predicted, 150 finished: saturated.
    expect(capacityMove(armed.check, sample(0.5, 105, true, true), timing(5000))).toEqual({
      rise: true,
      check: { underMs: 1000, start, verdict: 'lost' },
    });
    // More finished than at the start (a window still filling then): not saturated then.
    expect(capacityMove(armed.check, sample(0.5, 121, true, true), timing(5000)).check?.verdict).toBe('kept');
    // 45 + 52 finished, the fall predicted: it keeps up (slow on its own), the ramp stalls at once.
    expect(capacityMove(armed.check, sample(0.5, 52, true, true), timing(5000))).toEqual({
      rise: false,
      check: { underMs: 1000, start, verdict: 'kept' },
    });
  });

  it('should count a check whose shedding moved too little as kept, and a class shed entirely as telling nothing', () => {
    const start = { atMs: 0, finished: [15, 30, 0, 105], shares: [0, 0, 0, 0.4] };
    // 105 x 0.55 / 0.6 = 96.25: a predicted fall of 8.75 of 150, under a tenth.
    expect(capacityMove({ underMs: 0, start }, sample(0.45, 105), timing(4000)).check?.verdict).toBe('kept');
    const whole = { atMs: 0, finished: [15, 30, 0, 0], shares: [0, 0, 0, 1] };
    expect(capacityMove({ underMs: 0, start: whole }, sample(1, 0), timing(4000)).check?.verdict).toBe(
      'kept',
    );
  });
});
