// Review15b N4: the anti-windup (the ramp) and the recovery timer survive what does not change the
// law: a config reload that leaves `admission` as it was, and a restart through the durable
// snapshot. Before, each reset a fresh ramp that rose again: a reload or a restart every <= 9 s
// wound the pressure up to every cap under a disturbance shedding cannot fix, and a reload every
// 4 s kept a healthy service shedding. Each scenario is compared with the same run uninterrupted.
import { describe, expect, it } from 'vitest';
import { AdmissionController } from '../../../agent/admission/admission-controller.ts';
import { parseAdmissionSnapshot } from '../../../agent/admission/admission-snapshot.ts';
import type { Criticality } from '../../../agent/admission/criticality.ts';
import type { AdmissionDecision } from '../../../agent/admission/types.ts';
import { ManualClock } from '../../../agent/clock.ts';
import { configOf, testAgent } from '../../helpers/agent.ts';
import { admissionConfig, type Load, setup } from './setup.ts';

/** F8's disturbance: CRITICAL_PLUS a little over its budget whatever is shed, the rest healthy. */
const UNFIXABLE: Load = { CRITICAL_PLUS: 1.05, CRITICAL: 0.4, SHEDDABLE: 0.4 };
const OVERLOAD: Load = { CRITICAL: 2, SHEDDABLE: 0.5 };
const HEALTHY: Load = { CRITICAL: 0.3, SHEDDABLE: 0.3 };

/** `seconds` ticks of `load`; `every(t)` runs after tick t (1-based). The decisions, briefly. */
function drive(h: ReturnType<typeof setup>, seconds: number, load: Load, every?: (t: number) => void) {
  const decisions: AdmissionDecision[] = [];
  for (let t = 1; t <= seconds; t++) {
    decisions.push(...h.tick(load));
    every?.(t);
  }
  return h.brief(decisions);
}

/** A copy of `from` through the durable snapshot (JSON, parsed), as a restart makes it. */
function restart(h: ReturnType<typeof setup>, from = h.controller): AdmissionController {
  const snapshot = parseAdmissionSnapshot(JSON.parse(JSON.stringify(from.snapshot())));
  if (typeof snapshot === 'string') throw new Error(snapshot);
  const controller = new AdmissionController({ config: h.config, clock: h.clock, service: 'checkout' });
  controller.restore(snapshot);
  return controller;
}

describe('AdmissionController across reloads that leave admission as it was', () => {
  it.each([4, 8, 9, 10])(
    'should decide as without reloads under an unfixable disturbance, a reload every %i s',
    (period) => {
      const quiet = setup();
      const expected = drive(quiet, 300, UNFIXABLE);
      const reloaded = setup();
      // A fresh parse of the same YAML each time: equal, not the same object.
      const decisions = drive(reloaded, 300, UNFIXABLE, (t) => {
        if (t % period === 0) expect(reloaded.controller.reconfigure(admissionConfig())).toEqual([]);
      });
      expect(decisions).toEqual(expected);
      expect(reloaded.controller.pressure).toBe(0);
    },
  );

  it('should recover as without reloads when the service is healthy again, a reload every 4 s', () => {
    const quiet = setup();
    const reloaded = setup();
    for (const h of [quiet, reloaded]) drive(h, 10, OVERLOAD);
    expect(reloaded.controller.pressure).toBeGreaterThan(0);
    const expected = drive(quiet, 60, HEALTHY);
    const decisions = drive(reloaded, 60, HEALTHY, (t) => {
      if (t % 4 === 0) reloaded.controller.reconfigure(admissionConfig());
    });
    expect(decisions).toEqual(expected);
    expect(reloaded.controller.pressure).toBe(0);
  });

  it('should decide as without reloads when a reload changes only retryAfter, and answer with the new Retry-After (review15d L2)', () => {
    // retryAfter is the 503's header, no term of the law: CRITICAL slow on its own (1.5x whatever
    // is shed) is shed to 50 % once, eased as `ineffective`, and nothing more, whether or not
    // retryAfter flips between 1 s and 2 s every 20 s (before: each reload restarted the
    // anti-windup, 127 decisions in 300 s instead of 10).
    const slow: Load = { CRITICAL_PLUS: 0.3, CRITICAL: 1.5, SHEDDABLE: 0.5 };
    const quiet = setup();
    const expected = drive(quiet, 300, slow);
    const reloaded = setup();
    const decisions = drive(reloaded, 300, slow, (t) => {
      if (t % 20 === 10)
        expect(
          reloaded.controller.reconfigure(admissionConfig({ retryAfter: t % 40 === 10 ? '2s' : '1s' })),
        ).toEqual([]);
    });
    expect(decisions).toEqual(expected);
    expect(expected.length).toBe(10);
    const floor = { levels: { moderate: { minRejection: { SHEDDABLE: '100%' } } } };
    reloaded.controller.reconfigure(admissionConfig(floor));
    reloaded.controller.observe('MODERATE');
    expect(reloaded.controller.reconfigure(admissionConfig({ ...floor, retryAfter: '7s' }))).toEqual([]);
    expect(reloaded.controller.admit('SHEDDABLE')).toMatchObject({ admitted: false, retryAfterMs: 7000 });
  });

  it('should restart the recovery timer when the reload changed admission', () => {
    const h = setup();
    drive(h, 10, OVERLOAD);
    drive(h, 3, HEALTHY); // 2 s into the 5 s sustain (the first healthy window still held overload)
    h.controller.reconfigure(admissionConfig({ minSamples: 21 }));
    const firstRecovery = drive(h, 10, HEALTHY).find((d) => d[4] === 'recovery');
    // Without the reload the first easing step comes at second 17; the timer restarted at 14.
    expect(firstRecovery?.[0]).toBe(19);
  });

  it('should keep every controller state through an agent reload that changed only a budget', () => {
    const { agent, clock } = testAgent();
    const admission = agent.admission('checkout');
    for (let s = 0; s < 12; s++) {
      for (let i = 0; i < 30; i++) {
        admission.record('CRITICAL', s < 10 ? 2 : 0.3, clock.now());
        admission.record('SHEDDABLE', 0.5, clock.now());
      }
      clock.advance(1000);
      agent.tick();
    }
    const before = admission.snapshot();
    expect(before.ramp).toBeDefined();
    expect(before.improvedSinceMs).toBeDefined();
    agent.reconfigure(configOf({ contexts: { checkout: { budget: '250ms' } } }));
    expect(admission.snapshot()).toEqual(before);
  });
});

describe('AdmissionController ramp in the durable snapshot', () => {
  it.each([4, 8, 9])(
    'should end with nothing shed under an unfixable disturbance, a restart every %i s',
    (period) => {
      const h = setup();
      let { controller } = h;
      const decisions: AdmissionDecision[] = [];
      for (let t = 1; t <= 300; t++) {
        for (const [c, ratio] of Object.entries(UNFIXABLE))
          for (let i = 0; i < 30; i++) controller.record(c as Criticality, ratio, h.clock.now());
        h.clock.advance(1000);
        decisions.push(...controller.observe('NONE'));
        if (t % period === 0) controller = restart(h, controller);
      }
      // Uninterrupted: SHEDDABLE 1..4 %, then `ineffective` back to 0 (review15b F8).
      const expected = drive(setup(), 300, UNFIXABLE);
      expect(h.brief(decisions)).toEqual(expected);
      expect(controller.pressure).toBe(0);
    },
  );

  it('should keep the ramp as plain data, with the last tick while the overload lasts, and restore them exactly', () => {
    const h = setup();
    drive(h, 4, OVERLOAD);
    const { ramp, lastTickMs } = h.controller.snapshot();
    expect([ramp, lastTickMs]).toEqual([
      {
        startRatio: 2,
        checkMs: h.startMs + 2000,
        checkRatio: 2,
        checkLoad: 120,
        overMs: h.startMs + 4000,
        lastRise: { atMs: h.startMs + 4000, criticality: 'SHEDDABLE' },
      },
      h.startMs + 4000,
    ]);
    expect(restart(h).snapshot()).toEqual(h.controller.snapshot());
    // Healthy ticks: the ramp stays as the overload left it, the last tick is not kept, and the
    // snapshot is the same from tick to tick (a checkpoint has nothing to rewrite).
    drive(h, 2, HEALTHY);
    const healthy = h.controller.snapshot();
    expect([healthy.ramp?.overMs, 'lastTickMs' in healthy]).toEqual([h.startMs + 5000, false]);
    h.tick(HEALTHY);
    expect(h.controller.snapshot()).toEqual(healthy);
  });

  it('should take ramp and last tick times after now as now', () => {
    const h = setup();
    drive(h, 4, OVERLOAD);
    const snapshot = h.controller.snapshot();
    const later = h.clock.now() + 3_600_000;
    const wait = { criticality: 'CRITICAL' as const, sinceMs: later, ratio: 2 };
    const ramp = { ...snapshot.ramp!, checkMs: later, overMs: later, stalledSinceMs: later, wait };
    const controller = new AdmissionController({ config: h.config, clock: new ManualClock(h.clock.now()) });
    const lastRise = { atMs: later, criticality: 'CRITICAL' as const };
    controller.restore({ ...snapshot, ramp: { ...ramp, lastRise }, lastTickMs: later });
    const now = h.clock.now();
    const restored = controller.snapshot();
    expect([restored.ramp, restored.lastTickMs]).toEqual([
      {
        startRatio: 2,
        checkMs: now,
        checkRatio: 2,
        checkLoad: 120,
        overMs: now,
        stalledSinceMs: now,
        lastRise: { atMs: now, criticality: 'CRITICAL' },
        wait: { criticality: 'CRITICAL', sinceMs: now, ratio: 2 },
      },
      now,
    ]);
  });

  it.each([
    ['not an object', 'steep'],
    ['a ratio that is not a number', { startRatio: 'x', checkMs: 1, checkRatio: 1, overMs: 1 }],
    ['a time missing', { startRatio: 1, checkRatio: 1, overMs: 1 }],
    [
      'a stall that is not a time',
      { startRatio: 1, checkMs: 1, checkRatio: 1, overMs: 1, stalledSinceMs: null },
    ],
    [
      'a rise of no class',
      { startRatio: 1, checkMs: 1, checkRatio: 1, overMs: 1, lastRise: { atMs: 1, criticality: 'LOW' } },
    ],
    [
      'a rise at no time',
      { startRatio: 1, checkMs: 1, checkRatio: 1, overMs: 1, lastRise: { criticality: 'CRITICAL' } },
    ],
    ['a load that is not a number', { startRatio: 1, checkMs: 1, checkRatio: 1, overMs: 1, checkLoad: '1' }],
    [
      'a wait for no class',
      { startRatio: 1, checkMs: 1, checkRatio: 1, overMs: 1, wait: { sinceMs: 1, ratio: 1 } },
    ],
    [
      'a wait with no ratio',
      { startRatio: 1, checkMs: 1, checkRatio: 1, overMs: 1, wait: { criticality: 'CRITICAL', sinceMs: 1 } },
    ],
  ])('should restore the rest of a snapshot whose ramp is %s, without the ramp', (_, ramp) => {
    const h = setup();
    drive(h, 4, OVERLOAD);
    const { ramp: _kept, ...rest } = h.controller.snapshot();
    expect(parseAdmissionSnapshot(JSON.parse(JSON.stringify({ ...rest, ramp })))).toEqual(rest);
  });
});
