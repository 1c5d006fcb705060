import { describe, expect, it } from 'vitest';
import type { SheddableCriticality } from '../../../agent/admission/admission-law.ts';
import { ClassRequests } from '../../../agent/admission/class-requests.ts';
import type { Criticality } from '../../../agent/admission/criticality.ts';
import { evenly, setup } from './setup.ts';

/** How the class under test shows itself: requests asked of `admit()`, samples recorded. */
interface Use {
  readonly requests: boolean;
  readonly samples: boolean;
}

/**
 * `count` ticks of a service at 1.7x its capacity of 60 requests a tick, every admitted request
 * taking `(admitted / 60)^2` of its budget: 30 CRITICAL and 70 of `shed` when `shed` shows itself
 * somehow, else 100 CRITICAL (`shed` is then really empty). With `use.requests` every request
 * asks `admit()` (embedded); without, the service sheds with the controller's probabilities (its
 * `admit()` runs elsewhere). CRITICAL is always recorded; `shed` when `use.samples` (else it is a
 * route without a budget: admitted, never judged). The decisions as `[second, class, from, to, reason]`.
 */
function run(shed: SheddableCriticality, use: Use, count = 12) {
  const { controller, feed, clock, brief } = setup({}, evenly());
  const [critical, other] = use.requests || use.samples ? [30, 70] : [100, 0];
  const decisions = [];
  for (let i = 0; i < count; i++) {
    const byProbability = (c: Criticality, n: number) => Math.round(n * (1 - controller.probability(c)));
    const byAdmit = (c: Criticality, n: number) =>
      Array.from({ length: n }).filter(() => controller.admit(c).admitted).length;
    const admit = use.requests ? byAdmit : byProbability;
    const admitted = { CRITICAL: admit('CRITICAL', critical), [shed]: admit(shed, other) };
    const ratio = Math.round(((admitted.CRITICAL + admitted[shed]!) / 60) ** 2 * 1e3) / 1e3;
    feed({ CRITICAL: ratio }, admitted.CRITICAL);
    if (use.samples) feed({ [shed]: ratio }, admitted[shed]);
    clock.advance(1000);
    decisions.push(...controller.observe('NONE'));
  }
  return brief(decisions);
}

/** SHEDDABLE shed step by step, each step judged by CRITICAL's ratio, until the load fits. */
const sheddableStepByStep = (last: readonly [number, number]) => [
  [1, 'SHEDDABLE', 0, 0.1, 'overload'],
  [2, 'SHEDDABLE', 0.1, 0.2, 'overload'],
  [3, 'SHEDDABLE', 0.2, 0.3, 'overload'],
  [4, 'SHEDDABLE', 0.3, 0.4, 'overload'],
  [5, 'SHEDDABLE', 0.4, 0.5, 'overload'],
  [6, 'SHEDDABLE', 0.5, last[0], 'overload'],
  [7, 'SHEDDABLE', last[0], last[1], 'overload'],
];

/** SHEDDABLE (empty) passed at once, SHEDDABLE_PLUS shed step by step once its 4 s wait is over. */
const sheddablePlusStepByStep = (last: readonly [number, number]) => [
  [5, 'SHEDDABLE', 0, 1, 'overload'],
  [5, 'SHEDDABLE_PLUS', 0, 0.1, 'overload'],
  [6, 'SHEDDABLE_PLUS', 0.1, 0.2, 'overload'],
  [7, 'SHEDDABLE_PLUS', 0.2, 0.3, 'overload'],
  [8, 'SHEDDABLE_PLUS', 0.3, 0.4, 'overload'],
  [9, 'SHEDDABLE_PLUS', 0.4, 0.5, 'overload'],
  [10, 'SHEDDABLE_PLUS', 0.5, last[0], 'overload'],
  [11, 'SHEDDABLE_PLUS', last[0], last[1], 'overload'],
];

/** All CRITICAL: the empty classes passed at once after the 4 s wait, CRITICAL shed until the load fits. */
const allCritical = [
  [5, 'SHEDDABLE', 0, 1, 'overload'],
  [5, 'SHEDDABLE_PLUS', 0, 0.9, 'overload'],
  [5, 'CRITICAL', 0, 0.1, 'overload'],
  [6, 'CRITICAL', 0.1, 0.2, 'overload'],
  [7, 'CRITICAL', 0.2, 0.3, 'overload'],
  [8, 'CRITICAL', 0.3, 0.4, 'overload'],
  [9, 'CRITICAL', 0.4, 0.472, 'overload'],
];

describe('AdmissionController: a class in use is shed step by step, never passed as empty (review16 M3)', () => {
  it.each([
    ['requests and samples', { requests: true, samples: true }, sheddableStepByStep([0.578, 0.62])],
    [
      'requests and no sample (a route without a budget)',
      { requests: true, samples: false },
      sheddableStepByStep([0.578, 0.62]),
    ],
    [
      'samples and no request (admit() elsewhere)',
      { requests: false, samples: true },
      sheddableStepByStep([0.588, 0.623]),
    ],
    ['neither (no traffic)', { requests: false, samples: false }, allCritical],
  ])('SHEDDABLE with %s', (_, use, expected) => {
    expect(run('SHEDDABLE', use)).toEqual(expected);
  });

  it.each([
    ['requests and samples', { requests: true, samples: true }, sheddablePlusStepByStep([0.578, 0.62])],
    [
      'requests and no sample (a route without a budget)',
      { requests: true, samples: false },
      sheddablePlusStepByStep([0.578, 0.62]),
    ],
    [
      'samples and no request (admit() elsewhere)',
      { requests: false, samples: true },
      sheddablePlusStepByStep([0.588, 0.623]),
    ],
    ['neither (no traffic)', { requests: false, samples: false }, allCritical],
  ])('SHEDDABLE_PLUS with %s', (_, use, expected) => {
    expect(run('SHEDDABLE_PLUS', use)).toEqual(expected);
  });

  it('should count rejected requests too: a class whose requests are all rejected is in use', () => {
    // Every draw is 0: from the first step on, every SHEDDABLE request is rejected, none judged.
    // Its rejections keep it in use after the admitted ones of the first second leave the window
    // (t = 4): no jump to its cap; the ramp stops at 50 % as shedding SHEDDABLE shows no effect.
    const { controller, tick, brief } = setup({}, () => 0);
    const decisions = [];
    const outcomes: boolean[] = [];
    for (let i = 0; i < 9; i++) {
      for (let r = 0; r < 10; r++) outcomes.push(controller.admit('SHEDDABLE').admitted);
      decisions.push(...tick({ CRITICAL: 2 }));
    }
    expect(outcomes.filter(Boolean).length).toBe(10);
    expect(brief(decisions)).toEqual([
      [1, 'SHEDDABLE', 0, 0.1, 'overload'],
      [2, 'SHEDDABLE', 0.1, 0.2, 'overload'],
      [3, 'SHEDDABLE', 0.2, 0.3, 'overload'],
      [4, 'SHEDDABLE', 0.3, 0.4, 'overload'],
      [5, 'SHEDDABLE', 0.4, 0.5, 'overload'],
    ]);
  });

  it('should take a class for empty again once its requests are a window old', () => {
    // SHEDDABLE requests (never judged) at the first tick only; CRITICAL at 2x all along. The 3 s
    // window still holds them at t = 1..3: SHEDDABLE is shed step by step; from t = 4 it is empty
    // and passed at once (with the empty SHEDDABLE_PLUS) once CRITICAL's 4 s wait is over, at t = 8.
    const { controller, tick, brief } = setup();
    for (let r = 0; r < 10; r++) controller.admit('SHEDDABLE');
    const decisions = [];
    for (let i = 0; i < 9; i++) decisions.push(...tick({ CRITICAL: 2 }));
    expect(brief(decisions)).toEqual([
      [1, 'SHEDDABLE', 0, 0.1, 'overload'],
      [2, 'SHEDDABLE', 0.1, 0.2, 'overload'],
      [3, 'SHEDDABLE', 0.2, 0.3, 'overload'],
      [8, 'SHEDDABLE', 0.3, 1, 'overload'],
      [8, 'SHEDDABLE_PLUS', 0, 0.9, 'overload'],
      [8, 'CRITICAL', 0, 0.1, 'overload'],
      [9, 'CRITICAL', 0.1, 0.2, 'overload'],
    ]);
  });

  it('should count the requests requested() reports (collector mode), and drop what is not a count of a class', () => {
    const { controller, tick, brief } = setup();
    controller.requested('CRITICAL_PLUS', 5);
    controller.requested('SHEDDABLE', 0);
    controller.requested('SHEDDABLE', -1);
    controller.requested('SHEDDABLE', 1.5);
    controller.requested('SHEDDABLE', Number.NaN);
    controller.requested('sheddable' as Criticality, 3);
    expect(brief(tick({ CRITICAL: 2 }))).toEqual([]);
    controller.requested('SHEDDABLE');
    expect(brief(tick({ CRITICAL: 2 }))).toEqual([[2, 'SHEDDABLE', 0, 0.1, 'overload']]);
  });
});

describe('ClassRequests', () => {
  it('should count the requests of each class over the window, from the newest mark a window old', () => {
    const log = new ClassRequests(0);
    const judged: Record<Criticality, number> = {
      CRITICAL_PLUS: 0,
      CRITICAL: 0,
      SHEDDABLE_PLUS: 0,
      SHEDDABLE: 0,
    };
    const over = () =>
      (['CRITICAL_PLUS', 'CRITICAL', 'SHEDDABLE_PLUS', 'SHEDDABLE'] as const).map((c) => log.over(c));
    expect(over()).toEqual([0, 0, 0, 0]);
    judged.SHEDDABLE = 4;
    log.add('CRITICAL', 2);
    log.mark(1000, (c) => judged[c], 3000);
    expect(over()).toEqual([0, 2, 0, 4]);
    judged.SHEDDABLE = 6;
    log.mark(2000, (c) => judged[c], 3000);
    expect(over()).toEqual([0, 2, 0, 6]);
    log.mark(3000, (c) => judged[c], 3000); // nothing new: no mark kept
    expect(over()).toEqual([0, 2, 0, 6]);
    log.mark(4000, (c) => judged[c], 3000); // the 1 s mark is the newest a window old
    expect(over()).toEqual([0, 0, 0, 2]);
    log.mark(5000, (c) => judged[c], 3000);
    expect(over()).toEqual([0, 0, 0, 0]);
    log.add('SHEDDABLE_PLUS', 1);
    log.mark(60_000, (c) => judged[c], 3000);
    expect(over()).toEqual([0, 0, 1, 0]);
  });
});
