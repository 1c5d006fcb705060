// An admission controller restored from another's snapshot (through JSON, as the store keeps it)
// decides exactly as the uninterrupted one: the pressure, its level, the recovery progress, the
// ramp, the last tick's time, the audit log and the decision sequence carry over.
import { describe, expect, it } from 'vitest';
import { AdmissionController } from '../../../agent/admission/admission-controller.ts';
import { parseAdmissionSnapshot } from '../../../agent/admission/admission-snapshot.ts';
import { ManualClock } from '../../../agent/clock.ts';
import { Agent } from '../../../agent/index.ts';
import { configOf, ScriptedLoad } from '../../helpers/agent.ts';
import { admissionConfig, setup } from './setup.ts';

/** A second controller on its own clock at the same time, restored from `source`'s snapshot through JSON. */
function restoredFrom(source: ReturnType<typeof setup>, config = source.config) {
  const clock = new ManualClock(source.clock.now());
  const controller = new AdmissionController({ config, clock, service: 'checkout' });
  const snapshot = parseAdmissionSnapshot(JSON.parse(JSON.stringify(source.controller.snapshot())));
  if (typeof snapshot === 'string') throw new Error(snapshot);
  controller.restore(snapshot);
  const ticks = (count: number, ratio: number) => {
    const decisions = [];
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < 30; j++) controller.record('CRITICAL', ratio, clock.now());
      clock.advance(1000);
      decisions.push(...controller.observe('NONE'));
    }
    return decisions;
  };
  return { controller, clock, ticks };
}

/** A snapshot with nothing but its required fields. */
const base = { version: 1, namespace: '', service: 'x', level: 'NONE', pressure: 1, seq: 0, decisions: [] };

describe('AdmissionController snapshot and restore', () => {
  it("should keep a level floor's share handed to the pressure across a restore (review15g H2)", () => {
    const original = setup();
    original.tick({}, 'SEVERE');
    original.tick({}, 'MODERATE');
    const snapshot = original.controller.snapshot();
    expect({ pressure: snapshot.pressure, easing: snapshot.easing }).toEqual({
      pressure: 1,
      easing: { steps: [], backoffMs: 5000, handed: 1 },
    });
    const restored = restoredFrom(original);
    expect(restored.controller.snapshot()).toEqual(snapshot);
    // Eased watched, one maxStep a tick once the wait has held, the same in both.
    const steps = (decisions: readonly { from: number; to: number; reason: string }[]) =>
      decisions.map(({ from, to, reason }) => [from, to, reason]);
    const tick = (controller: AdmissionController, clock: ManualClock) => {
      clock.advance(1000);
      return controller.observe('MODERATE');
    };
    const [a, b] = [[], []] as { from: number; to: number; reason: string }[][];
    for (let i = 0; i < 20; i++) {
      a.push(...tick(original.controller, original.clock));
      b.push(...tick(restored.controller, restored.clock));
    }
    expect(steps(b)).toEqual(steps(a));
    expect(steps(a)).toHaveLength(10);
  });

  it('should ease at the same ticks with the same decisions after a restore mid-sustain', () => {
    const original = setup();
    // The 4x queueing overload of overload.test.ts for 21 s: SHEDDABLE 100 %, SHEDDABLE_PLUS 30 %;
    // then CRITICAL at 0.5x: the window of second 22 still holds second 21's overload (one more
    // step, SHEDDABLE_PLUS 40 %), then 1 s of the 5 s sustain.
    original.run(21, { CRITICAL: 200, SHEDDABLE_PLUS: 100, SHEDDABLE: 100 });
    original.ticks(3, { CRITICAL: 0.5, SHEDDABLE: 0.5 });
    const snapshot = original.controller.snapshot();
    expect({ ...snapshot, decisions: snapshot.decisions.length }).toEqual({
      version: 1,
      namespace: '',
      service: 'checkout',
      level: 'NONE',
      pressure: 1.4,
      improvedSinceMs: original.startMs + 23_000,
      // The overload's ramp; no last tick: the overload is over.
      ramp: {
        startRatio: 15.979655,
        checkMs: original.startMs + 22_000,
        checkRatio: 8.528366,
        checkLoad: 340,
        overMs: original.startMs + 22_000,
        lastRise: { atMs: original.startMs + 22_000, criticality: 'SHEDDABLE_PLUS' },
      },
      seq: 14,
      decisions: 14,
    });
    const restored = restoredFrom(original);
    // The restored windows start empty: from the second tick on they hold the same samples, and
    // the first easing step comes after that.
    expect(restored.controller.state()).toEqual(original.controller.state());
    expect(restored.ticks(30, 0.5)).toEqual(original.ticks(30, { CRITICAL: 0.5, SHEDDABLE: 0.5 }));
    expect(restored.controller.auditLog.entries()).toEqual(original.controller.auditLog.entries());
    expect(restored.controller.pressure).toBe(0);
  });

  it('should keep the easing back-off across a restore: the band probes at the same ticks (review ease4 M2)', () => {
    // 3x queueing overload for 70 s: SHEDDABLE at 100 %, two band probes stepped back (seconds 27
    // and 60), so the wait is 20 s and the band probes after 60 s. CRITICAL then sits at 0.8x.
    const original = setup();
    original.run(70, { CRITICAL_PLUS: 30, CRITICAL: 60, SHEDDABLE: 210 });
    const { easing } = original.controller.snapshot();
    expect(easing).toEqual({
      steps: [],
      backoffMs: 20_000,
      backAtMs: original.startMs + 61_000,
      bandSinceMs: original.startMs + 63_000,
    });
    const restored = restoredFrom(original);
    // The same load as before (30 CRITICAL_PLUS and 60 CRITICAL a second), both now at 0.8x.
    const band = (controller: AdmissionController, clock: ManualClock) => {
      const decisions = [];
      for (let s = 0; s < 90; s++) {
        for (let i = 0; i < 30; i++) controller.record('CRITICAL_PLUS', 0.8, clock.now());
        for (let i = 0; i < 60; i++) controller.record('CRITICAL', 0.8, clock.now());
        clock.advance(1000);
        decisions.push(...controller.observe('NONE'));
      }
      return decisions;
    };
    const decisions = band(restored.controller, restored.clock);
    expect(decisions).toEqual(band(original.controller, original.clock));
    // The band probes after 3 x 20 s (without the back-off: 15 s, at second 78), then walks down
    // a step per step delay while the ratio does not rise.
    expect(decisions.map((d) => [(d.at - original.startMs) / 1000, d.from, d.to, d.reason])).toEqual(
      Array.from({ length: 10 }, (_, i) => [123 + 4 * i, (10 - i) / 10, (9 - i) / 10, 'probe']),
    );
  });

  it('should take an easing it cannot read as none, and keep an easing it reads within bounds', () => {
    const step = { atMs: 5, from: 1, to: 0.9, criticality: 'SHEDDABLE', watched: true };
    for (const easing of [
      { steps: [{ ...step, atMs: 'now' }], backoffMs: 10_000 },
      { steps: [{ ...step, criticality: 'CRITICAL_PLUS' }], backoffMs: 10_000 },
      { steps: [], backoffMs: 0 },
      { steps: [], backoffMs: 10_000, back: { to: 'up', thresholdRatio: 0.75 } },
      { steps: [], backoffMs: 10_000, drain: { capacity: 'lots' } },
      { steps: [], backoffMs: 10_000, drain: { releasedAtMs: null } },
      { steps: [], backoffMs: 10_000, drain: 1 },
      [],
    ])
      expect(parseAdmissionSnapshot({ ...base, easing })).toEqual(base);
    const clock = new ManualClock(1_000_000);
    const controller = new AdmissionController({ config: admissionConfig(), clock });
    const later = 2_000_000;
    const parsed = parseAdmissionSnapshot({
      ...base,
      easing: {
        steps: [{ ...step, atMs: later }],
        backoffMs: 3_600_000,
        back: { to: 1, thresholdRatio: 0.75, flow: { arrivals: 10, completions: 8, expected: 10 } },
        backAtMs: later,
        bandSinceMs: later,
        calmAtMs: later,
        drain: { capacity: 300, releasedAtMs: later },
      },
    });
    if (typeof parsed === 'string') throw new Error(parsed);
    controller.restore(parsed);
    // Times after now are now; the wait is at most 16 x recovery.sustain (80 s).
    expect(controller.snapshot().easing).toEqual({
      steps: [{ ...step, atMs: 1_000_000 }],
      backoffMs: 80_000,
      back: { to: 1, thresholdRatio: 0.75, flow: { arrivals: 10, completions: 8, expected: 10 } },
      backAtMs: 1_000_000,
      bandSinceMs: 1_000_000,
      calmAtMs: 1_000_000,
      drain: { capacity: 300, releasedAtMs: 1_000_000 },
    });
  });

  it('should read a ramp with or without its check of lost capacity, times after now as now (review15e H1)', () => {
    const base = {
      version: 1,
      namespace: '',
      service: 'x',
      level: 'NONE',
      pressure: 1,
      seq: 0,
      decisions: [],
    };
    const ramp = { startRatio: 1.5, checkMs: 5, checkRatio: 1.5, overMs: 5 };
    // A snapshot written before the check existed: its ramp loads as it is.
    expect(parseAdmissionSnapshot({ ...base, ramp })).toEqual({ ...base, ramp });
    // The wait of the requests in flight at the start (issue 15) is kept; one written before it, absent.
    const start = { atMs: 2_000_000, finished: [24, 48, 0, 100], shares: [0, 0, 0, 0.4], inFlightMs: 2500 };
    const capacity = { underMs: 2_000_000, start, verdict: 'lost' };
    for (const unreadable of [
      { underMs: 'soon' },
      { underMs: 5, verdict: 'maybe' },
      { underMs: 5, start: { ...start, finished: [24, 48, 100] } },
      { underMs: 5, start: { ...start, shares: [0, 0, 0, null] } },
      { underMs: 5, start: { ...start, atMs: undefined } },
      { underMs: 5, start: { ...start, inFlightMs: -1 } },
      { underMs: 5, start: { ...start, inFlightMs: 'long' } },
    ])
      expect(parseAdmissionSnapshot({ ...base, ramp: { ...ramp, capacity: unreadable } })).toEqual(base);
    const parsed = parseAdmissionSnapshot({ ...base, ramp: { ...ramp, capacity } });
    if (typeof parsed === 'string') throw new Error(parsed);
    const clock = new ManualClock(1_000_000);
    const controller = new AdmissionController({ config: admissionConfig(), clock });
    controller.restore(parsed);
    expect(controller.snapshot().ramp).toEqual({
      ...ramp,
      capacity: { underMs: 1_000_000, start: { ...start, atMs: 1_000_000 }, verdict: 'lost' },
    });
  });

  it('should cut a restored pressure to the caps in force, and drop it when admission is disabled', () => {
    const original = setup();
    original.run(40, { CRITICAL: 200, SHEDDABLE_PLUS: 100, SHEDDABLE: 100 }); // every class at its cap
    expect(original.controller.pressure).toBe(2.4);
    const lower = admissionConfig({ maxRejection: { CRITICAL: '10%' } });
    expect(restoredFrom(original, lower).controller.pressure).toBe(2);
    const off = restoredFrom(original, admissionConfig({ enabled: false })).controller;
    expect([off.pressure, off.probability('SHEDDABLE'), off.auditLog.size]).toEqual([0, 0, 24]);
  });

  it('should take a recovery start after now as now', () => {
    const original = setup();
    original.ticks(3, { CRITICAL: 2, SHEDDABLE: 0.5 });
    original.ticks(3, { CRITICAL: 0.5, SHEDDABLE: 0.5 });
    const snapshot = { ...original.controller.snapshot(), improvedSinceMs: original.clock.now() + 3_600_000 };
    const clock = new ManualClock(original.clock.now());
    const controller = new AdmissionController({ config: original.config, clock });
    controller.restore(snapshot);
    expect(controller.snapshot().improvedSinceMs).toBe(clock.now());
  });

  it.each([
    [null, 'not an object'],
    [[], 'not an object'],
    [{ version: 2 }, 'version 2 is not 1'],
    [{ version: 1, service: 'x' }, 'no service'],
    [{ version: 1, namespace: '', service: 'x', level: 'DIRE' }, 'unknown level DIRE'],
    [
      { version: 1, namespace: '', service: 'x', level: 'NONE', pressure: -0.1 },
      'pressure is not a number >= 0',
    ],
    [
      { version: 1, namespace: '', service: 'x', level: 'NONE', pressure: 'high' },
      'pressure is not a number >= 0',
    ],
    [
      { version: 1, namespace: '', service: 'x', level: 'NONE', pressure: 0, improvedSinceMs: 'now' },
      'improvedSinceMs is not a time',
    ],
    [
      { version: 1, namespace: '', service: 'x', level: 'NONE', pressure: 0, lastTickMs: '1s' },
      'lastTickMs is not a time',
    ],
    [
      { version: 1, namespace: '', service: 'x', level: 'NONE', pressure: 0, seq: -1 },
      'seq is not a whole number',
    ],
    [
      {
        version: 1,
        namespace: '',
        service: 'x',
        level: 'NONE',
        pressure: 0,
        seq: 1,
        decisions: [{ seq: 1 }],
      },
      'decisions are not decisions',
    ],
  ])('should refuse %j: %s', (value, reason) => {
    expect(parseAdmissionSnapshot(value)).toBe(reason);
  });

  it('should restore through the agent after its degradation states, counting what it dropped', () => {
    const clock = new ManualClock(1_700_000_000_000);
    const agent = new Agent({ config: configOf(), clock, loadSampler: new ScriptedLoad() });
    const admission = agent.admission('checkout', 'shop');
    for (let s = 0; s < 3; s++) {
      for (let i = 0; i < 30; i++) {
        admission.record('CRITICAL', 2, clock.now());
        admission.record('SHEDDABLE', 0.5, clock.now());
      }
      clock.advance(1000);
      agent.tick();
    }
    const snapshots = [...agent.admissionSnapshots().values()];
    expect(snapshots.map((s) => [s.namespace, s.service, s.pressure, s.seq])).toEqual([
      ['shop', 'checkout', 0.3, 3],
    ]);
    const again = new Agent({ config: configOf(), clock, loadSampler: new ScriptedLoad() });
    const stored = JSON.parse(JSON.stringify([...snapshots, { version: 99 }]));
    expect(again.restoreAdmission(stored)).toEqual({ restored: 1, dropped: 1 });
    expect(again.services()).toEqual([{ namespace: 'shop', service: 'checkout' }]);
    expect(again.admission('checkout', 'shop').state()).toMatchObject({
      pressure: 0.3,
      lastDecision: { seq: 3 },
    });
  });
});
