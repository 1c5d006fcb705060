import { describe, expect, it } from 'vitest';
import { Agent } from '../../agent/agent.ts';
import { ManualClock } from '../../agent/clock.ts';
import type { LoadSampler } from '../../agent/load/index.ts';
import { configOf, recordMany, testAgent } from '../helpers/agent.ts';

const service = { name: 'checkout' };

describe('Agent', () => {
  it('should give a verdict with the observed percentile, effective budget, ratio and sample count', () => {
    const { agent, clock } = testAgent({ service });
    recordMany(agent, clock, { service: 'checkout', operation: 'quote', context: 'emergency' }, 40, 100);
    const { verdicts } = agent.tick();
    expect(verdicts).toHaveLength(1);
    const [verdict] = verdicts;
    expect(verdict).toEqual({
      series: { namespace: '', service: 'checkout', operation: 'quote', context: 'emergency', phase: '' },
      status: 'warning',
      percentile: 'p95',
      observedMs: verdict?.observedMs,
      budgetMs: 50,
      baseBudgetMs: 50,
      ratio: (verdict?.observedMs ?? 0) / 50,
      samples: 100,
      at: clock.now(),
    });
    expect(verdict?.observedMs).toBeGreaterThan(40 * 0.99);
    expect(verdict?.observedMs).toBeLessThan(40 * 1.01);
  });

  it('should give no verdict from a window with fewer samples than minSamples', () => {
    const { agent, clock } = testAgent({ evaluation: { minSamples: 20 } });
    recordMany(agent, clock, { operation: 'quote', context: 'emergency' }, 400, 19);
    expect(agent.tick().verdicts).toEqual([]);
    recordMany(agent, clock, { operation: 'quote', context: 'emergency' }, 400, 1);
    expect(agent.tick().verdicts.map((v) => v.status)).toEqual(['violated']);
  });

  it('should escalate a latency spike within the configured number of ticks', () => {
    const { agent, clock } = testAgent({ service, degradation: { escalation: { ticks: 3 } } });
    const manager = agent.degradation('checkout');
    const levels: string[] = [];
    for (let tick = 1; tick <= 4; tick++) {
      clock.advance(1000);
      recordMany(agent, clock, { service: 'checkout', operation: 'quote', context: 'emergency' }, 80, 50);
      agent.tick();
      levels.push(manager.level);
    }
    // 80 ms against 50ms is a ratio of 1.6: SEVERE (enterRatio 1.5), after exactly 3 ticks.
    expect(levels).toEqual(['NONE', 'NONE', 'SEVERE', 'SEVERE']);
    const decision = manager.auditLog.entries()[0];
    expect(decision?.reason).toBe('escalation');
    expect(decision?.evidence?.series).toEqual({
      namespace: '',
      service: 'checkout',
      operation: 'quote',
      context: 'emergency',
      phase: '',
    });
  });

  it('should judge phases against their share of the budget without degrading on them', () => {
    const { agent, clock } = testAgent({ service });
    // routing has 10 % of the 200 ms routine budget: 20 ms. 30ms is a violation of the phase.
    recordMany(
      agent,
      clock,
      { service: 'checkout', operation: 'quote', context: 'routine', phase: 'routing' },
      30,
      50,
    );
    recordMany(agent, clock, { service: 'checkout', operation: 'quote', context: 'routine' }, 100, 50);
    const { verdicts, decisions } = agent.tick();
    const byPhase = Object.fromEntries(verdicts.map((v) => [v.series.phase, [v.status, v.baseBudgetMs]]));
    expect(byPhase).toEqual({ routing: ['violated', 20], '': ['ok', 200] });
    expect(decisions).toEqual([]);
  });

  it("should scale budgets with load, modifiers and the class's budget multiplier", () => {
    const { agent, clock, load } = testAgent({
      adaptive: {
        load: { maxChangePerSecond: 10, maxFactor: 2 },
        modifiers: { sale: { factor: 0.5, contexts: ['emergency'] } },
      },
      criticality: { classes: { CRITICAL: { budgetMultiplier: 1.04 }, SHEDDABLE: { budgetMultiplier: 3 } } },
    });
    load.signals = { eventLoopDelayP99Ms: 60, eventLoopUtilization: 0.5, cpu: 0.2 };
    clock.advance(1000);
    agent.load.tick();
    expect(agent.load.factor).toBe(1.5);
    agent.modifiers.set('sale');
    recordMany(agent, clock, { operation: 'quote', context: 'emergency' }, 40, 50);
    const [verdict] = agent.tick().verdicts;
    expect(verdict?.budgetMs).toBeCloseTo(50 * 1.5 * 0.5 * 1.04, 10);
    expect(verdict?.status).toBe('violated');
  });

  it('should count samples in the overflow series once maxSeries is reached', () => {
    const { agent, clock } = testAgent({ window: { maxSeries: 2 } });
    for (const operation of ['a', 'b', 'c', 'd'])
      recordMany(agent, clock, { operation, context: 'routine' }, 10, 1);
    expect(agent.registry.list().map((s) => s.operation)).toEqual(['a', 'b', '__overflow__']);
    expect(agent.registry.overflowed).toBe(2);
  });
});

describe('Agent ticking', () => {
  it('should evaluate each context at its own interval when started', () => {
    const { agent, clock } = testAgent({
      evaluation: { interval: '1s', minSamples: 1 },
      contexts: { deliberative: { budget: '1s', evaluationInterval: '5s' } },
    });
    const judged: string[][] = [];
    agent.onTick((result) => judged.push(result.verdicts.map((v) => v.series.context)));
    recordMany(agent, clock, { operation: 'report', context: 'deliberative' }, 10, 5);
    recordMany(agent, clock, { operation: 'quote', context: 'routine' }, 10, 5);
    agent.start();
    clock.advance(6000);
    agent.stop();
    clock.advance(1000);
    // Ticks at 1 s ... 6 s: deliberative (every 5 s) at the first tick and 5 s after it.
    expect(judged).toEqual([
      ['deliberative', 'routine'],
      ['routine'],
      ['routine'],
      ['routine'],
      ['routine'],
      ['deliberative', 'routine'],
    ]);
  });
});

describe('Agent reconfigure', () => {
  it('should apply new budgets at once and keep series data, modifiers and degradation levels', () => {
    const { agent, clock } = testAgent({
      service: { name: 'checkout' },
      adaptive: { modifiers: { sale: { factor: 1 } } },
    });
    agent.modifiers.set('sale');
    agent.degradation('checkout').override('MODERATE', 'drill');
    recordMany(agent, clock, { service: 'checkout', operation: 'quote', context: 'emergency' }, 40, 50);
    expect(agent.tick().verdicts.map((v) => [v.status, v.budgetMs])).toEqual([['warning', 50]]);

    agent.reconfigure(
      configOf({
        contexts: { emergency: { budget: '30ms' } },
        adaptive: { modifiers: { sale: { factor: 1 } } },
      }),
    );
    expect(agent.tick().verdicts.map((v) => [v.status, v.budgetMs, v.samples])).toEqual([
      ['violated', 30, 50],
    ]);
    expect(agent.modifiers.active()).toEqual(['sale']);
    expect(agent.degradation('checkout').level).toBe('MODERATE');
  });

  it('should start series afresh when the window shape changes', () => {
    const { agent, clock } = testAgent();
    recordMany(agent, clock, { operation: 'quote', context: 'emergency' }, 40, 50);
    agent.reconfigure(configOf({ window: { length: '30s' } }));
    expect(agent.registry.list()).toEqual([]);
  });
});

describe('Agent load sampler ownership', () => {
  /** A sampler that counts its calls and refuses to be sampled once closed, as perf_hooks' would. */
  function countingSampler() {
    const counts = { samples: 0, closes: 0, sampledAfterClose: 0 };
    const sampler: LoadSampler = {
      sample() {
        if (counts.closes > 0) counts.sampledAfterClose++;
        counts.samples++;
        return { eventLoopDelayP99Ms: 250, eventLoopUtilization: 0.99, cpu: 1 };
      },
      close() {
        counts.closes++;
      },
    };
    return { sampler, counts };
  }

  it('should keep sampling an injected sampler across reloads and stop, and never close it', () => {
    const clock = new ManualClock(1_700_000_000_000);
    const { sampler, counts } = countingSampler();
    const config = configOf({ adaptive: { enabled: true } });
    const agent = new Agent({ config, clock, loadSampler: sampler });
    agent.start();
    clock.advance(1000);
    agent.reconfigure(configOf({ adaptive: { enabled: true }, contexts: { emergency: { budget: '40ms' } } }));
    clock.advance(1000);
    agent.reconfigure(config);
    clock.advance(1000);
    agent.stop();
    clock.advance(5000);
    expect(counts).toEqual({ samples: 3, closes: 0, sampledAfterClose: 0 });
  });
});
