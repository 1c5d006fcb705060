/** `headroom.throttle(target)` on an embedded Headroom: the YAML in force, Headroom off, bad arguments. */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../agent/index.ts';
import { InvalidArgumentError } from '../../../errors.ts';
import { ScriptedLoad } from '../../helpers/agent.ts';
import { startInstrumented } from '../../helpers/headroom.ts';

function headroomWith(config: Record<string, unknown>) {
  return startInstrumented({
    config: { service: { name: 'frontend' }, ...config },
    env: {},
    registerGlobal: false,
    clock: new ManualClock(),
    loadSampler: new ScriptedLoad(),
    random: () => 0,
  });
}

/** Probabilities of `n` attempts at a throttle whose backend refuses everything. */
function refusedRun(throttle: ReturnType<ReturnType<typeof headroomWith>['throttle']>, n: number) {
  const decisions = [];
  for (let i = 0; i < n; i++) {
    const decision = throttle.attempt();
    if (!decision.throttled) throttle.record(false);
    decisions.push(decision.throttled);
  }
  return decisions;
}

describe('headroom.throttle', () => {
  it('should throttle with the YAML k and window, the same throttle per target', async () => {
    const headroom = headroomWith({ admission: { clientThrottle: { k: 1.5, window: '10s' } } });
    const payments = headroom.throttle('payments');
    expect([payments.target, payments.k, headroom.throttle('payments') === payments]).toEqual([
      'payments',
      1.5,
      true,
    ]);
    expect(refusedRun(payments, 3)).toEqual([false, true, true]);
    expect(headroom.clientThrottles.stats()).toEqual([
      {
        target: 'payments',
        criticality: 'CRITICAL',
        sent: 1,
        throttled: 2,
        accepted: 0,
        refused: 1,
        aborted: 0,
        probability: 0.75,
      },
    ]);
    await headroom.shutdown();
  });

  it.each([
    ['Headroom off', { enabled: false }],
    ['admission.clientThrottle.enabled false', { admission: { clientThrottle: { enabled: false } } }],
  ])('should send every call with %s, still counting them', async (_, config) => {
    const headroom = headroomWith(config);
    const search = headroom.throttle('search');
    expect(refusedRun(search, 5)).toEqual([false, false, false, false, false]);
    expect(search.probability()).toBe(0);
    expect(headroom.clientThrottles.stats()).toEqual([
      {
        target: 'search',
        criticality: 'CRITICAL',
        sent: 5,
        throttled: 0,
        accepted: 0,
        refused: 5,
        aborted: 0,
        probability: 0,
      },
    ]);
    await headroom.shutdown();
  });

  it('should refuse a target longer than limits.nameLength with a coded error', async () => {
    const headroom = headroomWith({ limits: { nameLength: 16 } });
    expect(() => headroom.throttle('x'.repeat(17))).toThrow(InvalidArgumentError);
    expect(() => headroom.throttle('x'.repeat(17))).toThrow(
      'headroom.throttle: target must be a non-empty string of at most 16 characters (limits.nameLength), not "__overflow__"; got "xxxxxxxxxxxxxxxxx"',
    );
    expect(headroom.throttle('x'.repeat(16)).target).toBe('x'.repeat(16));
    await headroom.shutdown();
  });
});
