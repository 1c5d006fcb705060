// A relapse takes back only the easing steps the evidence implicates (review ease4 M1): the steps
// shown fine stay eased, in process (the flow of admitted against finished requests is known) and
// in collector mode (only the signal), whether it comes right after one step, after several or
// after all of them.
import { describe, expect, it } from 'vitest';
import type { Easing } from '../../../agent/admission/admission-easing.ts';
import { parseAdmissionSnapshot } from '../../../agent/admission/admission-snapshot.ts';
import type { Criticality } from '../../../agent/admission/criticality.ts';
import type { AdmissionDecision } from '../../../agent/admission/types.ts';
import { evenly, fifoPlant, type Offered, setup } from './setup.ts';

/** A controller restored at `pressure` (SHEDDABLE at 100 % for 1), with `easing` in progress if given. */
function restoredAt(pressure: number, easing?: Easing, random?: () => number) {
  const harness = setup({}, random);
  const snapshot = parseAdmissionSnapshot({
    version: 1,
    namespace: '',
    service: 'checkout',
    level: 'NONE',
    pressure,
    ...(easing === undefined ? {} : { easing }),
    seq: 0,
    decisions: [],
  });
  if (typeof snapshot === 'string') throw new Error(snapshot);
  harness.controller.restore(snapshot);
  return harness;
}

/** 10 CRITICAL_PLUS, 20 CRITICAL and `sheddable` SHEDDABLE requests a second. */
const offered = (sheddable: number): Offered => ({ CRITICAL_PLUS: 10, CRITICAL: 20, SHEDDABLE: sheddable });

/**
 * A minute of a FIFO service completing 100 requests a second (budget 2 s), asking `admit()` for
 * each request, from SHEDDABLE at 100 %: `[second, from, to, reason]` of each decision.
 */
function inProcess(sheddable: number) {
  const harness = restoredAt(1, undefined, evenly());
  const plant = fifoPlant(harness, 100, 2);
  const decisions: AdmissionDecision[] = [];
  for (let s = 0; s < 60; s++) {
    plant.step(offered(sheddable));
    decisions.push(...harness.controller.observe('NONE'));
  }
  return harness.brief(decisions).map(([s, , from, to, reason]) => [s, from, to, reason]);
}

/**
 * Two minutes of a service whose latency has a knee, as a collector sees it (no `admit()` here):
 * 0.5x its budget while it admits at most 100 requests a second, 1.5x beyond. From SHEDDABLE at
 * 100 % with easing backed off (an earlier step back: `recovery.sustain` doubled, 20 s).
 */
function collector(sheddable: number) {
  const harness = restoredAt(1, { steps: [], backoffMs: 20_000 });
  const { controller, feed, clock } = harness;
  const decisions: AdmissionDecision[] = [];
  for (let s = 0; s < 120; s++) {
    const admitted = Object.entries(offered(sheddable)).map(
      ([c, n]) => [c as Criticality, Math.round(n * (1 - controller.probability(c as Criticality)))] as const,
    );
    const total = admitted.reduce((sum, [, n]) => sum + n, 0);
    for (const [criticality, n] of admitted) feed({ [criticality]: total <= 100 ? 0.5 : 1.5 }, n);
    clock.advance(1000);
    decisions.push(...controller.observe('NONE'));
  }
  return harness.brief(decisions).map(([s, , from, to, reason]) => [s, from, to, reason]);
}

/** Recovery steps of SHEDDABLE from `from` down to `to`, one a second from second `s`, every `every` s. */
function walk(from: number, to: number, s: number, every = 1) {
  const steps = [];
  for (let p = Math.round(from * 10); p > Math.round(to * 10); p--)
    steps.push([s + steps.length * every, p / 10, (p - 1) / 10, 'recovery']);
  return steps;
}

describe('AdmissionController stepping back only the easing that hurt (review ease4 M1)', () => {
  it.each([
    // SHEDDABLE a second: at 100 % shed the service gets 30 requests a second, each 10 % eased
    // adds a tenth of them; the FIFO keeps up with 100.
    [
      'right after one step (1000: 90 % lets in 130)',
      1000,
      [
        ...walk(1, 0.9, 6),
        [7, 0.9, 1, 'probe'],
        [21, 1, 0.9, 'recovery'],
        [22, 0.9, 1, 'probe'],
        [46, 1, 0.9, 'recovery'],
        [47, 0.9, 1, 'probe'],
      ],
    ],
    [
      'after several (330: 80 % lets in 96, 70 % 129)',
      330,
      [
        ...walk(1, 0.7, 6),
        [9, 0.7, 0.8, 'probe'],
        [27, 0.8, 0.7, 'recovery'],
        [28, 0.7, 0.8, 'probe'],
        [56, 0.8, 0.7, 'recovery'],
        [57, 0.7, 0.8, 'probe'],
      ],
    ],
    [
      'after more (130: 50 % lets in 95, 40 % 108)',
      130,
      [
        ...walk(1, 0.3, 6),
        [13, 0.3, 0.4, 'probe'],
        [14, 0.4, 0.5, 'probe'],
        [32, 0.5, 0.4, 'recovery'],
        [34, 0.4, 0.5, 'probe'],
        [59, 0.5, 0.4, 'recovery'],
      ],
    ],
    [
      'after all (78: 10 % lets in 100, none 108)',
      78,
      // The learned ops-per-request ratio stays 1 (learned only at pressure 0, from a window the
      // next one showed healthy: review15c H1), where the easing's own transitions used to teach it
      // 0.9-something: the relapse shows a tick sooner with its whole surplus, two steps go back,
      // and easing walks them down again, backed off (was: one step back at 18, probes at 49, 52).
      [
        ...walk(1, 0, 6),
        [17, 0, 0.1, 'probe'],
        [18, 0.1, 0.2, 'probe'],
        [32, 0.2, 0.1, 'recovery'],
        [36, 0.1, 0, 'recovery'],
        [38, 0, 0.1, 'probe'],
      ],
    ],
  ])(
    'should keep the steps the backlog does not implicate eased, in process: relapse %s',
    (_, sheddable, expected) => {
      // Before (review ease4 M1): every step younger than a step delay went back (1000: the same;
      // 330: back to 100 %; 130: to 60 %; 78: the same). Now the newest steps whose added
      // admissions account for the surplus of admitted over finished requests go back; backed off,
      // easing then goes one watched step at a time (the second run steps back just the one).
      expect(inProcess(sheddable)).toEqual(expected);
    },
  );

  it('should say how far it steps back and why', () => {
    const harness = restoredAt(1, undefined, evenly());
    const plant = fifoPlant(harness, 100, 2);
    const decisions: AdmissionDecision[] = [];
    for (let s = 0; s < 9; s++) {
      plant.step(offered(330));
      decisions.push(...harness.controller.observe('NONE'));
    }
    expect(decisions.at(-1)?.message).toBe(
      'SHEDDABLE rejection 70% -> 80%: easing hurt, the backlog grows (289 admitted, 260 finished in 3s); back to pressure 0.8, easing waits 10s (30s in the band)',
    );
  });

  it.each([
    [
      'right after one step (1000)',
      1000,
      [
        [21, 1, 0.9, 'recovery'],
        [22, 0.9, 1, 'probe'],
        [64, 1, 0.9, 'recovery'],
        [65, 0.9, 1, 'probe'],
      ],
    ],
    [
      'after several (330)',
      330,
      [...walk(1, 0.7, 21, 4), [30, 0.7, 0.8, 'probe'], [72, 0.8, 0.7, 'recovery'], [73, 0.7, 0.8, 'probe']],
    ],
    [
      'after more (130)',
      130,
      [...walk(1, 0.4, 21, 4), [42, 0.4, 0.5, 'probe'], [84, 0.5, 0.4, 'recovery'], [85, 0.4, 0.5, 'probe']],
    ],
    [
      'after all (78)',
      78,
      [...walk(1, 0, 21, 4), [58, 0, 0.1, 'probe'], [100, 0.1, 0, 'recovery'], [101, 0, 0.1, 'probe']],
    ],
  ])(
    'should step back only the last watched step as a collector sees it: relapse %s',
    (_, sheddable, expected) => {
      // Backed off, easing goes one watched step per step delay (window + tick, 4 s): a step that
      // brings the signal over the exit ratio is the one taken back, the ones shown fine stay.
      // Before (review ease4 M1): easing went a step a second and the overload that came back rose
      // through the ramp, back to where easing started or beyond (330: 70 % -> 90 % every 9 s,
      // ~1,600 decisions an hour).
      expect(collector(sheddable)).toEqual(expected);
    },
  );
});
