// A level's floor lifted while the overload it covered goes on (review15g H2). An embedded service
// in front of a FIFO finishing 100 requests a second (budget 2 s), 60 s at 0.6x, then a steady
// overload. Under the SEVERE floor (SHEDDABLE 100 %) the protected classes are healthy: easing the
// controller's own SHEDDABLE share there would change nothing in force, show nothing, and the
// level's recovery would then lift the floor in one unwatched step into the same load (it did, every
// 96 s: 5,207 of 101,603 protected requests over budget, 6,397 CRITICAL rejected in 20 min). Now
// easing holds under a floor, and a level that drops hands its floor's share to the pressure, which
// recovery eases one watched maxStep at a time: with levels, the service does as well as without.
import { describe, expect, it } from 'vitest';
import type { Criticality } from '../../../agent/admission/criticality.ts';
import type { AdmissionDecision } from '../../../agent/admission/types.ts';
import { Agent, type DegradationLevel, ManualClock } from '../../../agent/index.ts';
import type { HeadroomConfigInput } from '../../../config/index.ts';
import { configOf, ScriptedLoad } from '../../helpers/agent.ts';
import { evenly } from './setup.ts';

const T0_MS = 1_700_000_000_000;

/** 10 % CRITICAL_PLUS, 20 % CRITICAL, 70 % SHEDDABLE. */
const mix = (n: number): Criticality[] =>
  Array.from({ length: n }, (_, i) =>
    i % 10 === 0 ? 'CRITICAL_PLUS' : i % 10 < 3 ? 'CRITICAL' : 'SHEDDABLE',
  );

interface Plant {
  readonly config: HeadroomConfigInput;
  /** Requests offered in second `s`, spread over it. */
  readonly rate: (s: number) => number;
  readonly seconds: number;
  /** Level overrides: at second `s`, this level. */
  readonly overrides?: Readonly<Record<number, DegradationLevel>>;
}

/** Runs the FIFO plant; protected requests (from second 60) over budget, CRITICAL rejected, decisions, level changes. */
function run({ config, rate, seconds, overrides = {} }: Plant) {
  const clock = new ManualClock(T0_MS);
  const agent = new Agent({
    config: configOf({ service: { name: 'svc' }, contexts: { routine: { budget: '2s' } }, ...config }),
    clock,
    loadSampler: new ScriptedLoad(),
    random: evenly(),
  });
  const series = agent.series({ service: 'svc', operation: 'op', context: 'routine' });
  const admission = agent.admission('svc');
  const decisions: AdmissionDecision[] = [];
  agent.onAdmissionDecision((d) => decisions.push(d));
  const levels: string[] = [];
  let level: DegradationLevel = 'NONE';
  const queue: { c: Criticality; atMs: number }[] = [];
  let [protectedAll, protectedOver, criticalRejected] = [0, 0, 0];
  for (let s = 0; s < seconds; s++) {
    const forced = overrides[s];
    if (forced !== undefined) agent.degradation('svc').override(forced, 'test');
    const arrivals = mix(rate(s));
    for (let k = 0; k < 10; k++) {
      const stepStartMs = clock.now();
      const from = Math.round((k * arrivals.length) / 10);
      for (const c of arrivals.slice(from, Math.round(((k + 1) * arrivals.length) / 10))) {
        if (admission.admit(c).admitted) queue.push({ c, atMs: stepStartMs });
        else if (c === 'CRITICAL' && s >= 60) criticalRejected++;
      }
      clock.advance(100);
      const nowMs = clock.now();
      for (const { c, atMs } of queue.splice(0, 10)) {
        series.record(nowMs - atMs, false, nowMs, Number.NEGATIVE_INFINITY, c);
        if (s < 60 || c === 'SHEDDABLE') continue;
        protectedAll++;
        if (nowMs - atMs > 2000) protectedOver++;
      }
    }
    agent.tick();
    const after = agent.degradation('svc').level;
    if (after !== level) levels.push(`${s + 1} ${level} -> ${after}`);
    level = after;
  }
  const seconds_ = (d: AdmissionDecision) => (d.at - T0_MS) / 1000;
  const sheddable = decisions.filter((d) => d.criticality === 'SHEDDABLE');
  return {
    outcome: { protectedAll, protectedOver, criticalRejected },
    /** SHEDDABLE decisions lowering it by more than one maxStep (10 %). */
    released: sheddable.filter((d) => d.from - d.to > 0.1 + 1e-9).map((d) => `${seconds_(d)} ${d.message}`),
    sheddable: (fromS: number, count: number) =>
      sheddable
        .filter((d) => seconds_(d) >= fromS)
        .slice(0, count)
        .map((d) => `${seconds_(d)} ${d.from} -> ${d.to} ${d.reason}`),
    levels,
  };
}

const NO_LEVELS: HeadroomConfigInput = { degradation: { escalation: { ticks: 1_000_000 } } };
const MODERATE_HALF: HeadroomConfigInput = {
  admission: { levels: { moderate: { minRejection: { SHEDDABLE: '50%' } } } },
};
const THEN = (x: number) => (s: number) => (s < 60 ? 60 : x);

describe('a level floor lifted into a steady overload (review15g H2)', () => {
  it.each([
    ['3x', 300],
    ['1.5x', 150],
  ])(
    'should keep SHEDDABLE shed through the level drops at a steady %s, as without levels',
    (_name, rate) => {
      const plant = { rate: THEN(rate), seconds: 600 };
      const noLevels = run({ ...plant, config: NO_LEVELS });
      for (const config of [{}, MODERATE_HALF]) {
        const levelled = run({ ...plant, config });
        expect({ outcome: levelled.outcome, released: levelled.released }).toEqual({
          outcome: noLevels.outcome,
          released: [],
        });
      }
      expect(noLevels.released).toEqual([]);
    },
  );

  it('should go through SEVERE and back to NONE at 3x with the default floors, protected within budget', () => {
    const levelled = run({ config: {}, rate: THEN(300), seconds: 600 });
    expect(levelled.levels).toEqual([
      '67 NONE -> MINIMAL',
      '70 MINIMAL -> SEVERE',
      '156 SEVERE -> MODERATE',
      '186 MODERATE -> MINIMAL',
      '216 MINIMAL -> NONE',
    ]);
    expect(levelled.outcome).toEqual({ protectedAll: 48210, protectedOver: 400, criticalRejected: 390 });
    // At the drop the floor's share is the pressure's: eased one step a tick, stepped back when
    // the backlog grows, then probed ever more rarely (the back-off doubling), as the law's own.
    expect(levelled.sheddable(150, 12)).toEqual([
      '156 1 -> 0.9 recovery',
      '157 0.9 -> 0.8 recovery',
      '158 0.8 -> 0.9 probe',
      '159 0.9 -> 1 probe',
      '170 1 -> 0.9 recovery',
      '172 0.9 -> 1 probe',
      '193 1 -> 0.9 recovery',
      '195 0.9 -> 1 probe',
      '236 1 -> 0.9 recovery',
      '238 0.9 -> 1 probe',
      '319 1 -> 0.9 recovery',
      '321 0.9 -> 1 probe',
    ]);
  });

  it('should ease a floor dropped by several levels at once one maxStep a tick, stepped back into the load', () => {
    const levelled = run({
      config: {},
      rate: THEN(300),
      seconds: 420,
      overrides: { 100: 'CRITICAL', 300: 'NONE' },
    });
    expect(levelled.levels).toEqual([
      '67 NONE -> MINIMAL',
      '70 MINIMAL -> SEVERE',
      '101 SEVERE -> CRITICAL',
      '301 CRITICAL -> NONE',
    ]);
    expect({ outcome: levelled.outcome, released: levelled.released }).toEqual({
      outcome: { protectedAll: 32010, protectedOver: 400, criticalRejected: 390 },
      released: [],
    });
    expect(levelled.sheddable(300, 4)).toEqual([
      '301 1 -> 0.9 recovery',
      '302 0.9 -> 0.8 recovery',
      '303 0.8 -> 0.9 probe',
      '304 0.9 -> 1 probe',
    ]);
  });

  it('should release promptly a floor whose load ended under it: one maxStep a tick', () => {
    const ended = run({
      config: {},
      rate: (s) => (s < 60 ? 60 : s < 250 ? 300 : 30),
      seconds: 360,
      overrides: { 100: 'CRITICAL', 300: 'NONE' },
    });
    expect(ended.sheddable(300, 20)).toEqual(
      Array.from({ length: 10 }, (_, i) => `${301 + i} ${(10 - i) / 10} -> ${(9 - i) / 10} recovery`),
    );
  });

  it('should release the default floor of a load that ended before the level dropped, the law easing as ever', () => {
    const ended = run({ config: {}, rate: (s) => (s < 60 ? 60 : s < 300 ? 300 : 30), seconds: 400 });
    expect(ended.sheddable(290, 20)).toEqual([
      // Backed off since the onset: one watched step a step delay (the window read reaches back
      // further at 9 protected operations a second, review15f H3).
      '319 1 -> 0.9 recovery',
      '326 0.9 -> 0.8 recovery',
      '333 0.8 -> 0.7 recovery',
      '340 0.7 -> 0.6 recovery',
      '347 0.6 -> 0.5 recovery',
      '354 0.5 -> 0.4 recovery',
      '361 0.4 -> 0.3 recovery',
      '365 0.3 -> 0.2 recovery',
      '369 0.2 -> 0.1 recovery',
      '373 0.1 -> 0 recovery',
    ]);
  });
});
