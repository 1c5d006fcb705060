/**
 * The SRE book's client-side throttling on a manual clock: P(reject) = max(0, (requests - k x
 * accepts) / (requests + 1)) over the window, per class, locally rejected calls counted.
 */
import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../agent/index.ts';
import { ClientThrottle, rejectionProbability } from '../../../instrumentation/throttle/index.ts';

const WINDOW_MS = 120_000;

function throttle(options: { k?: number; random?: () => number; enabled?: boolean } = {}) {
  const clock = new ManualClock(1_700_000_000_000);
  const draws: number[] = [];
  const random = options.random ?? (() => 0.5);
  const t = new ClientThrottle({
    target: 'payments',
    k: options.k ?? 2,
    windowMs: WINDOW_MS,
    enabled: options.enabled ?? true,
    clock,
    random: () => {
      const draw = random();
      draws.push(draw);
      return draw;
    },
  });
  return { throttle: t, clock, draws };
}

/** `n` calls attempted and recorded with `accepted`; returns how many were throttled. */
function calls(
  t: ClientThrottle,
  n: number,
  accepted: boolean,
  criticality?: 'CRITICAL' | 'SHEDDABLE',
): number {
  let throttled = 0;
  for (let i = 0; i < n; i++) {
    const decision = t.attempt({ criticality });
    if (decision.throttled) throttled++;
    else t.record(accepted, { criticality });
  }
  return throttled;
}

describe('rejectionProbability (the SRE book, equation 21-1)', () => {
  it.each([
    // requests, accepts, k, probability
    [0, 0, 2, 0], // no traffic
    [10, 10, 2, 0], // all accepted
    [10, 5, 2, 0], // exactly at the cutoff requests = k x accepts
    [10, 4, 2, 2 / 11],
    [10, 0, 2, 10 / 11], // all refused: below 1, the client keeps probing
    [1000, 0, 2, 1000 / 1001],
    [10, 4, 1, 6 / 11],
    [10, 4, 3, 0],
    [10, 9, 1.1, 0.1 / 11],
    [5, 10, 2, 0], // more accepts than requests (records without attempts): never negative
  ])('requests %d, accepts %d, k %d -> %d', (requests, accepts, k, expected) => {
    expect(rejectionProbability(requests, accepts, k)).toBeCloseTo(expected, 12);
  });
});

describe('ClientThrottle', () => {
  it('should allow the first call of a class with probability 0 and no draw', () => {
    const { throttle: t, draws } = throttle({ random: () => 0 });
    expect(t.probability()).toBe(0);
    expect(t.attempt()).toEqual({
      throttled: false,
      target: 'payments',
      criticality: 'CRITICAL',
      probability: 0,
    });
    expect(draws).toEqual([]);
  });

  it('should never throttle while the backend accepts every call', () => {
    const { throttle: t } = throttle({ random: () => 0 });
    expect(calls(t, 500, true)).toBe(0);
    expect(t.probability()).toBe(0);
    expect(t.stats()).toEqual([
      {
        target: 'payments',
        criticality: 'CRITICAL',
        sent: 500,
        throttled: 0,
        accepted: 500,
        refused: 0,
        aborted: 0,
        probability: 0,
      },
    ]);
  });

  it('should reject locally with probability n/(n+1) after n refused calls, and say why', () => {
    const { throttle: t } = throttle({ random: () => 0.5 });
    calls(t, 3, false); // p before each: 0; 1/2 (the draw 0.5 is not below it); 2/3 -> throttled
    expect(t.stats()).toEqual([
      {
        target: 'payments',
        criticality: 'CRITICAL',
        sent: 2,
        throttled: 1,
        accepted: 0,
        refused: 2,
        aborted: 0,
        probability: 0.75,
      },
    ]);
    expect(t.attempt()).toEqual({
      throttled: true,
      code: 'HEADROOM_CLIENT_THROTTLED',
      target: 'payments',
      criticality: 'CRITICAL',
      probability: 0.75,
      message:
        'payments (CRITICAL): call rejected locally with probability 0.75; the backend accepted 0 of 3 calls attempted in the last 120 s (k = 2)',
    });
  });

  it('should count locally rejected calls as requests (so the probability keeps rising)', () => {
    const { throttle: t } = throttle({ random: () => 0 });
    t.attempt();
    t.record(false);
    for (let i = 0; i < 8; i++) expect(t.attempt().throttled).toBe(true);
    expect(t.probability()).toBeCloseTo(9 / 10, 12);
  });

  it('should never throttle a call whose draw is at or above the probability (never certain)', () => {
    const { throttle: t } = throttle({ random: () => 0.999 });
    expect(calls(t, 500, false)).toBe(0);
    expect(t.probability()).toBeCloseTo(500 / 501, 12);
  });

  it.each([
    [1, 6 / 11],
    [2, 2 / 11],
    [3, 0],
  ])('should scale the cutoff with k = %d (10 requests, 4 accepts)', (k, expected) => {
    const { throttle: t } = throttle({ k, random: () => 0.9999 });
    calls(t, 4, true);
    calls(t, 6, false);
    expect(t.probability()).toBeCloseTo(expected, 12);
  });

  it('should forget calls once they leave the window, a bucket (1/120 of it) at a time', () => {
    const { throttle: t, clock } = throttle({ random: () => 0.9999 });
    calls(t, 10, false); // at the start of a 1 s bucket
    clock.advance(60_000);
    calls(t, 10, false);
    clock.advance(WINDOW_MS - 60_000 - 1);
    expect(t.probability()).toBeCloseTo(20 / 21, 12); // the first 10 are 119.999 s old: still in
    clock.advance(1);
    expect(t.probability()).toBeCloseTo(10 / 11, 12);
    clock.advance(60_000);
    expect(t.probability()).toBe(0);
    clock.advance(10 * WINDOW_MS); // a long silence empties everything at once
    expect(t.probability()).toBe(0);
    expect(t.attempt().probability).toBe(0);
  });

  it('should recover as the backend accepts again', () => {
    const { throttle: t, clock } = throttle({ random: () => 0.9999 });
    calls(t, 100, false);
    clock.advance(1000);
    calls(t, 50, true); // 150 requests, 50 accepts: (150 - 100) / 151
    expect(t.probability()).toBeCloseTo(50 / 151, 12);
    calls(t, 50, true); // 200 requests, 100 accepts: at the cutoff
    expect(t.probability()).toBe(0);
  });

  it('should keep separate stats per class: refused SHEDDABLE calls do not throttle CRITICAL ones', () => {
    const { throttle: t } = throttle({ random: () => 0 });
    calls(t, 5, false, 'SHEDDABLE');
    expect(calls(t, 5, true, 'CRITICAL')).toBe(0);
    expect(t.probability({ criticality: 'SHEDDABLE' })).toBeCloseTo(5 / 6, 12);
    expect(t.probability({ criticality: 'CRITICAL' })).toBe(0);
    expect(t.probability({ criticality: 'SHEDDABLE_PLUS' })).toBe(0);
    expect(t.stats().map((s) => [s.criticality, s.sent, s.throttled, s.refused])).toEqual([
      ['SHEDDABLE', 1, 4, 1],
      ['CRITICAL', 5, 0, 0],
    ]);
  });

  it('should neither throttle nor report a probability when disabled, and still count', () => {
    const { throttle: t, draws } = throttle({ enabled: false, random: () => 0 });
    expect(calls(t, 20, false)).toBe(0);
    expect(t.probability()).toBe(0);
    expect(draws).toEqual([]);
    expect(t.stats()).toEqual([
      {
        target: 'payments',
        criticality: 'CRITICAL',
        sent: 20,
        throttled: 0,
        accepted: 0,
        refused: 20,
        aborted: 0,
        probability: 0,
      },
    ]);
  });

  it('should ignore an invalid class and count the call in the default one', () => {
    const { throttle: t } = throttle();
    const decision = t.attempt({ criticality: 'urgent' as never });
    expect(decision.criticality).toBe('CRITICAL');
  });

  describe('with a context manager', () => {
    const manager = new AsyncLocalStorageContextManager();
    beforeAll(() => context.setGlobalContextManager(manager.enable()));
    afterAll(() => {
      manager.disable();
      context.disable();
    });

    it('should take the class from the active baggage, an explicit one first, an invalid one ignored', () => {
      const { throttle: t } = throttle();
      const withClass = (value: string) =>
        propagation.setBaggage(
          context.active(),
          propagation.createBaggage({ 'headroom.criticality': { value } }),
        );
      context.with(withClass('SHEDDABLE'), () => {
        expect(t.attempt().criticality).toBe('SHEDDABLE');
        expect(t.attempt({ criticality: 'CRITICAL_PLUS' }).criticality).toBe('CRITICAL_PLUS');
        t.record(false);
      });
      context.with(withClass('sheddable'), () => expect(t.attempt().criticality).toBe('CRITICAL'));
      expect(t.stats().map((s) => [s.criticality, s.sent, s.refused])).toEqual([
        ['SHEDDABLE', 1, 1],
        ['CRITICAL_PLUS', 1, 0],
        ['CRITICAL', 1, 0],
      ]);
    });
  });
});
