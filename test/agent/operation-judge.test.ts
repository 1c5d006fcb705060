import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AdmissionController } from '../../agent/admission/admission-controller.ts';
import type { Agent } from '../../agent/index.ts';
import type { HeadroomConfigInput } from '../../config/index.ts';
import { configOf, testAgent } from '../helpers/agent.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

const QUOTE = { service: 'checkout', operation: 'quote', context: 'emergency' };

/** The calls `controller.record` gets from now on, as [class, ratio]. */
function spyRatios(controller: AdmissionController) {
  const record = vi.spyOn(controller, 'record');
  return () => record.mock.calls.map(([criticality, ratio]) => [criticality, ratio]);
}

const controllerOf = (agent: Agent) => agent.admission('checkout');

describe("the agent's operation judge: a handle's way into admission", () => {
  it('should follow a reload: new multipliers, admission switched off and on', () => {
    const { agent, clock } = testAgent({ criticality: { classes: { SHEDDABLE: { budgetMultiplier: 2 } } } });
    const ratios = spyRatios(controllerOf(agent));
    const handle = agent.series(QUOTE);
    handle.record(100, false, clock.now(), undefined, 'SHEDDABLE');
    agent.reconfigure(configOf({ criticality: { classes: { SHEDDABLE: { budgetMultiplier: 4 } } } }));
    handle.record(100, false, clock.now(), undefined, 'SHEDDABLE');
    agent.reconfigure(configOf({ admission: { enabled: false } }));
    handle.record(100, false, clock.now(), undefined, 'SHEDDABLE');
    agent.reconfigure(configOf({}));
    handle.record(100, false, clock.now());
    expect(ratios()).toEqual([
      ['SHEDDABLE', 1],
      ['SHEDDABLE', 0.5],
      ['CRITICAL', 2],
    ]);
  });

  it('should feed the new controller of a service evicted and back, through the same handle', () => {
    const { agent, clock } = testAgent({ limits: { idleTime: '1m' } });
    const first = controllerOf(agent);
    const before = spyRatios(first);
    const handle = agent.series(QUOTE);
    handle.record(25, false, clock.now());
    clock.advance(120_000);
    agent.tick();
    expect(agent.health().servicesEvicted).toBe(1);
    const second = controllerOf(agent);
    expect(second).not.toBe(first);
    const after = spyRatios(second);
    handle.record(100, false, clock.now(), undefined, 'CRITICAL_PLUS');
    expect([before(), after()]).toEqual([[['CRITICAL', 0.5]], [['CRITICAL_PLUS', 2]]]);
  });

  it('should feed nothing for phases, unknown contexts, dropped samples and overflow series', () => {
    const { agent, clock } = testAgent({ window: { maxSeries: 3 } });
    const ratios = spyRatios(controllerOf(agent));
    const now = clock.now();
    agent.series({ ...QUOTE, phase: 'routing' }).record(10, false, now);
    agent.series({ ...QUOTE, context: 'nowhere' }).record(10, false, now); // folded into an overflow series
    agent.series(QUOTE).record(50, false, now);
    agent.series(QUOTE).record(Number.NaN, false, now);
    agent.series(QUOTE).record(10, false, now - 3_600_000); // behind the window
    agent.series({ ...QUOTE, operation: 'third' }).record(10, false, now); // past maxSeries
    expect(ratios()).toEqual([['CRITICAL', 1]]);
    const rows = agent.registry
      .list()
      .map((s) => [s.operation, s.context, s.phase, s.totals.count].join(' '));
    expect(rows.sort()).toEqual([
      '__overflow__ emergency  1',
      'quote __overflow__  1',
      'quote emergency  1',
      'quote emergency routing 1',
    ]);
  });
});

describe('the budget admission steers on: the configured one, not the load-relaxed one (F16)', () => {
  // Degradation off: its verdicts (so the level and the floors it sets) follow the load-relaxed
  // budget by design; what is pinned here is the admission law's own signal.
  const WEB = {
    contexts: { web: { budget: '100ms', percentile: 'p95' } },
    degradation: { enabled: false },
  } as const;
  const BUSY = { eventLoopDelayP99Ms: 500, eventLoopUtilization: 1, cpu: 1 };
  const WARM_UP_MS = 30_000;

  /**
   * 50 samples a second of `durationMs` in shop/page (context web) for 3 s, the agent ticking on
   * its own timers; every admission decision, the load factor and the verdicts' budget at the end.
   */
  function run(busy: boolean, durationMs: number, input: HeadroomConfigInput = {}) {
    const { agent, clock, load } = testAgent({ ...WEB, ...input });
    if (busy) load.signals = BUSY;
    const heard: unknown[] = [];
    agent.onAdmissionDecision(({ seq, at, criticality, from, to, reason, message, evidence }) =>
      heard.push({ seq, at: at - 1_700_000_000_000, criticality, from, to, reason, message, evidence }),
    );
    agent.start();
    clock.advance(WARM_UP_MS); // the load factor settles (at 2 when busy) before any traffic
    const handle = agent.series({ service: 'shop', operation: 'page', context: 'web' });
    for (let s = 0; s < 3; s++) {
      for (let i = 0; i < 50; i++) {
        handle.record(durationMs, false, clock.now());
        handle.record(50, false, clock.now(), undefined, 'SHEDDABLE'); // within budget: the class shed first
      }
      clock.advance(1000);
    }
    agent.stop();
    const verdictBudgetMs = agent.budgets.effectiveBudgetMs(100, 'web');
    return { heard, factor: agent.load.factor, verdictBudgetMs, pressure: agent.admission('shop').pressure };
  }

  /**
   * The decision of second `s`: SHEDDABLE from `from` to `to`, CRITICAL's p95 at 1.8x over the
   * `samples` of the 3 s window (the batch recorded at its left edge is out of it).
   */
  const step = (s: number, from: number, to: number, samples: number) => ({
    seq: s,
    at: WARM_UP_MS + s * 1000,
    criticality: 'SHEDDABLE',
    from,
    to,
    reason: 'overload',
    message: `SHEDDABLE rejection ${from * 100}% -> ${to * 100}%: CRITICAL p95 is 1.8x its budget (target 1x, ${samples} samples in 3s)`,
    evidence: { criticality: 'CRITICAL', percentile: 'p95', ratio: 1.8, thresholdRatio: 1, samples },
  });

  it('should shed the same for the same latencies whether the process is idle or busy', () => {
    const idle = run(false, 180);
    const busy = run(true, 180);
    expect([idle.factor, idle.verdictBudgetMs, busy.factor, busy.verdictBudgetMs]).toEqual([1, 100, 2, 200]);
    expect(idle.heard).toEqual([step(1, 0, 0.1, 50), step(2, 0.1, 0.2, 100), step(3, 0.2, 0.3, 100)]);
    expect(busy.heard).toEqual(idle.heard);
  });

  it('should not shed for latencies within the configured budget, busy or not', () => {
    for (const busy of [false, true]) expect(run(busy, 95)).toMatchObject({ heard: [], pressure: 0 });
  });

  it("should count the modifiers and the class's multiplier, still without the load", () => {
    const relaxed = { adaptive: { modifiers: { 'slow-replica': { factor: 2 } } } };
    const { agent, clock, load } = testAgent({
      ...WEB,
      ...relaxed,
      criticality: { classes: { SHEDDABLE: { budgetMultiplier: 1.5 } } },
    });
    load.signals = BUSY;
    agent.start();
    clock.advance(WARM_UP_MS);
    agent.modifiers.set('slow-replica');
    const ratios = spyRatios(agent.admission('shop'));
    const handle = agent.series({ service: 'shop', operation: 'page', context: 'web' });
    handle.record(180, false, clock.now());
    handle.record(180, false, clock.now(), undefined, 'SHEDDABLE');
    handle.record(180, false, clock.now(), undefined, 'CRITICAL_PLUS');
    agent.stop();
    expect([agent.load.factor, ratios()]).toEqual([
      2,
      [
        ['CRITICAL', 0.9],
        ['SHEDDABLE', 0.6],
        ['CRITICAL_PLUS', 0.9],
      ],
    ]);
  });
});
