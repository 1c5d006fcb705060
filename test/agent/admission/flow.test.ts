import { describe, expect, it } from 'vitest';
import type { Criticality } from '../../../agent/admission/criticality.ts';
import type { AdmissionDecision } from '../../../agent/admission/types.ts';
import { evenly, queueingPlant, setup } from './setup.ts';

/**
 * One tick in process: each class's `count` requests ask `admit()`, and of the admitted ones only
 * `recorded` (a fraction) finish as judged operations (a route without a budget is admitted but
 * never recorded); `extra` more operations a tick are recorded without asking admission (a route
 * without the middleware).
 */
function inProcess(
  harness: ReturnType<typeof setup>,
  load: Partial<Record<Criticality, number>>,
  recorded = 1,
  extra = 0,
) {
  const { controller, clock } = harness;
  for (const [c, ratio] of Object.entries(load)) {
    const criticality = c as Criticality;
    let admitted = 0;
    for (let i = 0; i < 30; i++) if (controller.admit(criticality).admitted) admitted++;
    const judged = Math.round(admitted * recorded) + extra;
    for (let i = 0; i < judged; i++) controller.record(criticality, ratio, clock.now());
  }
  clock.advance(1000);
  return controller.observe('NONE');
}

describe('AdmissionController reading the flow of admitted and finished requests (review15b N2)', () => {
  it.each([
    [0.5, 0],
    [1, 20],
  ])(
    'should learn the healthy ratio of finished operations per admitted request (%s of admitted recorded, %i recorded unadmitted)',
    (recorded, extra) => {
      // A minute healthy, then review15 F8: CRITICAL_PLUS at 1.05x for reasons shedding cannot
      // fix. Half the admitted requests never recorded (or 20 a second recorded without
      // admission) must not read as a backlog growing (which would keep the ramp rising to every
      // cap) or draining: the learned ratio makes the healthy flow the reference.
      const harness = setup({}, evenly());
      for (let s = 0; s < 60; s++)
        inProcess(harness, { CRITICAL_PLUS: 0.5, CRITICAL: 0.4, SHEDDABLE: 0.4 }, recorded, extra);
      const decisions: AdmissionDecision[] = [];
      for (let s = 0; s < 600; s++)
        decisions.push(
          ...inProcess(harness, { CRITICAL_PLUS: 1.05, CRITICAL: 0.4, SHEDDABLE: 0.4 }, recorded, extra),
        );
      expect(harness.controller.pressure).toBe(0);
      expect(decisions.map((d) => d.reason)).toEqual([
        'overload',
        'overload',
        'overload',
        'overload',
        'ineffective',
      ]);
    },
  );

  it('should still shed CRITICAL under an all-CRITICAL overload when operations are recorded without admission', () => {
    // 20 operations a second are recorded without asking admission: learned while healthy, so an
    // overload does not read as a backlog draining (which would keep CRITICAL from being shed).
    const harness = setup({}, evenly());
    for (let s = 0; s < 60; s++) inProcess(harness, { CRITICAL: 0.5 }, 1, 20);
    const decisions: AdmissionDecision[] = [];
    for (let s = 0; s < 10; s++) decisions.push(...inProcess(harness, { CRITICAL: 2 }, 1, 20));
    expect(harness.brief(decisions).slice(0, 3)).toEqual([
      [65, 'SHEDDABLE', 0, 1, 'overload'],
      [65, 'SHEDDABLE_PLUS', 0, 0.9, 'overload'],
      [65, 'CRITICAL', 0, 0.1, 'overload'],
    ]);
  });

  it('should treat a service with no admission counted here (collector mode) by the signal alone', () => {
    // queueingPlant records without admit(): the flow is unknown and the ramp goes by the signal.
    const harness = setup();
    for (let s = 0; s < 30; s++) {
      queueingPlant(harness, { CRITICAL_PLUS: 30, CRITICAL: 60, SHEDDABLE: 210 }, 100);
      harness.clock.advance(1000);
      harness.controller.observe('NONE');
    }
    expect(harness.controller.pressure).toBe(1);
  });
});
