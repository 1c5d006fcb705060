import { describe, expect, it } from 'vitest';
import type { Criticality } from '../../../agent/admission/criticality.ts';
import { type AdmissionDecision, Agent, ManualClock, type TickResult } from '../../../agent/index.ts';
import type { HeadroomConfigInput } from '../../../config/index.ts';
import { configOf, ScriptedLoad } from '../../helpers/agent.ts';
import { type Offered, queueingPlant } from './setup.ts';

const TICK_MS = 1000;

/** An agent on a manual clock with a scripted `random`; every admission decision and tick recorded. */
function setup(input: HeadroomConfigInput = {}, random: () => number = () => 0.5) {
  const clock = new ManualClock(1_700_000_000_000);
  const agent = new Agent({ config: configOf(input), clock, loadSampler: new ScriptedLoad(), random });
  const heard: AdmissionDecision[] = [];
  agent.onAdmissionDecision((decision) => heard.push(decision));
  /**
   * Records 30 ratios of `ratio` for CRITICAL and 30 at 0.5x for SHEDDABLE in shop/checkout (none
   * when undefined), then ticks.
   */
  const tick = (ratio?: number): TickResult => {
    const admission = agent.admission('checkout', 'shop');
    if (ratio !== undefined)
      for (let i = 0; i < 30; i++) {
        admission.record('CRITICAL', ratio, clock.now());
        admission.record('SHEDDABLE', 0.5, clock.now());
      }
    clock.advance(TICK_MS);
    return agent.tick();
  };
  /** One tick of the queueing plant of ./setup.ts (100 requests a tick is capacity) in shop/checkout. */
  const plantTick = (offered: Offered): TickResult => {
    const controller = agent.admission('checkout', 'shop');
    const feed = (load: Partial<Record<Criticality, number>>, count = 30) => {
      for (const [criticality, ratio] of Object.entries(load))
        for (let i = 0; i < count; i++) controller.record(criticality as Criticality, ratio, clock.now());
    };
    queueingPlant({ controller, feed }, offered, 100);
    clock.advance(TICK_MS);
    return agent.tick();
  };
  return { agent, clock, heard, tick, plantTick };
}

describe('Agent admission wiring', () => {
  it('should tick each service controller: decisions in TickResult and to onAdmissionDecision', () => {
    const { agent, heard, tick } = setup();
    const first = tick(2);
    const expected = {
      seq: 1,
      at: 1_700_000_001_000,
      namespace: 'shop',
      service: 'checkout',
      criticality: 'SHEDDABLE',
      from: 0,
      to: 0.1,
      reason: 'overload',
      message: 'SHEDDABLE rejection 0% -> 10%: CRITICAL p95 is 2x its budget (target 1x, 30 samples in 3s)',
      evidence: { criticality: 'CRITICAL', percentile: 'p95', ratio: 2, thresholdRatio: 1, samples: 30 },
      level: 'NONE',
    };
    expect(first.admissionDecisions).toEqual([expected]);
    expect(first.decisions).toEqual([]);
    expect(heard).toEqual([expected]);
    expect(tick(2).admissionDecisions.map((d) => [d.seq, d.to])).toEqual([[2, 0.2]]);
    expect(agent.services()).toEqual([{ namespace: 'shop', service: 'checkout' }]);
    expect(agent.admission('checkout', 'shop').state().pressure).toBe(0.2);
  });

  it('should step once per evaluation.interval when a faster context makes the agent tick more often', () => {
    // Ticks every 250 ms; evaluation.interval (1 s) is due at 250 ms, 1250 ms and 2250 ms.
    const { agent, clock, heard } = setup({
      contexts: { fast: { budget: '50ms', evaluationInterval: '250ms' } },
    });
    const admission = agent.admission('checkout', 'shop');
    agent.start();
    for (let s = 0; s < 3; s++) {
      for (let i = 0; i < 30; i++) {
        admission.record('CRITICAL', 2, clock.now());
        admission.record('SHEDDABLE', 0.5, clock.now());
      }
      clock.advance(TICK_MS);
    }
    agent.stop();
    expect(heard.map((d) => [d.at - 1_700_000_000_000, d.to])).toEqual([
      [250, 0.1],
      [1250, 0.2],
      [2250, 0.3],
    ]);
  });

  it('should isolate a throwing decision listener and stop calling an unsubscribed one', () => {
    const { agent, heard, tick } = setup();
    agent.onAdmissionDecision(() => {
      throw new Error('listener bug');
    });
    const seen: number[] = [];
    const unsubscribe = agent.onAdmissionDecision((decision) => seen.push(decision.seq));
    tick(2);
    unsubscribe();
    tick(2);
    expect([seen, heard.map((d) => d.seq)]).toEqual([[1], [1, 2]]);
  });

  it("should follow the service's degradation level and admit with the injected random", () => {
    const { agent, tick } = setup({}, () => 0.999);
    agent.degradation('checkout', 'shop').override('SEVERE', 'drill');
    const result = tick();
    expect(result.admissionDecisions.map((d) => [d.criticality, d.from, d.to, d.reason, d.level])).toEqual([
      ['SHEDDABLE', 0, 1, 'degradation-level', 'SEVERE'],
    ]);
    // 0.999 < 1: rejected; SHEDDABLE_PLUS at 0 is admitted without a draw.
    expect(agent.admission('checkout', 'shop').admit('SHEDDABLE')).toMatchObject({ admitted: false });
    expect(agent.admission('checkout', 'shop').admit('SHEDDABLE_PLUS')).toEqual({
      admitted: true,
      criticality: 'SHEDDABLE_PLUS',
    });
  });

  it('should reconfigure every controller on reload, telling the listeners', () => {
    const { agent, heard, tick } = setup();
    tick(2);
    agent.reconfigure(configOf({ admission: { enabled: false } }));
    expect(heard.map((d) => [d.seq, d.criticality, d.from, d.to, d.reason])).toEqual([
      [1, 'SHEDDABLE', 0, 0.1, 'overload'],
      [2, 'SHEDDABLE', 0.1, 0, 'reconfigured'],
    ]);
    expect(agent.admission('checkout', 'shop').state().enabled).toBe(false);
    expect(tick(2).admissionDecisions).toEqual([]);
  });

  it('should keep a shedding service from eviction and drop its controller with its degradation manager', () => {
    // limits.idleTime 2m: 3 minutes of a 4x queueing overload (no series, only admission ratios;
    // every class at its cap still leaves 1.21x) keep it; once the load stops shedding eases in
    // 5 s + 24 ticks, and within 2 minutes after that the service goes.
    const { agent, tick, plantTick } = setup({ limits: { idleTime: '2m' } });
    const before = agent.admission('checkout', 'shop');
    for (let s = 0; s < 180; s++) plantTick({ CRITICAL: 200, SHEDDABLE_PLUS: 100, SHEDDABLE: 100 });
    expect(agent.hasService('checkout', 'shop')).toBe(true);
    expect(before.pressure).toBe(2.4);
    for (let s = 0; s < 40; s++) tick();
    expect(before.pressure).toBe(0);
    const evictedAt: number[] = [];
    agent.onServiceEvicted(() => evictedAt.push(agent.clock.now()));
    const easedMs = agent.clock.now();
    for (let s = 0; s < 150 && evictedAt.length === 0; s++) tick();
    expect(agent.hasService('checkout', 'shop')).toBe(false);
    expect((evictedAt[0] as number) - easedMs).toBeLessThanOrEqual(120_000);
    const after = agent.admission('checkout', 'shop');
    expect(after).not.toBe(before);
    expect(after.state().pressure).toBe(0);
  });
});
