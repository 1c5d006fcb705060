import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AdmissionController } from '../../agent/admission/admission-controller.ts';
import type { Agent } from '../../agent/index.ts';
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
