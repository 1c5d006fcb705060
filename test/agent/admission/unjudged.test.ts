// Requests admitted on routes without a budget (review15e H3): a health check, static files, an
// endpoint nobody configured ask `admit()` (as CRITICAL when they name no class) and are never
// recorded; operations recorded on a route without the middleware are never admitted. The flow
// learns each class's ratio of finished operations per admitted request (flow-log.ts), so shedding
// a class takes off its own share, and the early rise goes by a growth the classes corroborate.
import { describe, expect, it } from 'vitest';
import type { Criticality } from '../../../agent/admission/criticality.ts';
import { FlowLog } from '../../../agent/admission/flow-log.ts';
import type { AdmissionDecision } from '../../../agent/admission/types.ts';
import { evenly, setup } from './setup.ts';

const mix = (n: number): Criticality[] =>
  Array.from({ length: n }, (_, i) =>
    i % 10 === 0 ? 'CRITICAL_PLUS' : i % 10 < 3 ? 'CRITICAL' : 'SHEDDABLE',
  );

interface Routes {
  /** Judged requests a second of the usual mix (10/20/70 %), through a FIFO of 100 a second. */
  readonly judged: (second: number) => number;
  /** Requests a second of `unjudgedClass` that ask `admit()` and are served apart, never recorded. */
  readonly unjudged: (second: number) => number;
  readonly unjudgedClass: Criticality;
  /** Operations a second recorded at 0.5x on `recordedClass` that never ask `admit()`. */
  readonly recorded?: number;
  readonly recordedClass?: Criticality;
}

/**
 * The service of review15e H3 for `seconds`: the decisions, and the second from which SHEDDABLE
 * stayed at 0 to the end (`undefined`: it did not).
 */
function serve(routes: Routes, seconds: number) {
  const harness = setup({}, evenly());
  const { controller, clock } = harness;
  const queue: Criticality[] = [];
  const decisions: AdmissionDecision[] = [];
  let releasedAt: number | undefined;
  for (let s = 0; s < seconds; s++) {
    for (const criticality of mix(routes.judged(s)))
      if (controller.admit(criticality).admitted) queue.push(criticality);
    for (let i = 0; i < routes.unjudged(s); i++) controller.admit(routes.unjudgedClass);
    clock.advance(1000);
    for (const criticality of queue.splice(0, 100))
      controller.record(criticality, (1 + queue.length / 100) / 2, clock.now());
    for (let i = 0; i < (routes.recorded ?? 0); i++)
      controller.record(routes.recordedClass ?? 'CRITICAL_PLUS', 0.5, clock.now());
    decisions.push(...controller.observe('NONE'));
    if (controller.probability('SHEDDABLE') > 0) releasedAt = undefined;
    else releasedAt ??= s;
  }
  return { harness, decisions, releasedAt };
}

/** `factor` x the load from 120 to 240 s, 1x (80 a second, 0.8 of capacity) before and after. */
const overload = (perSecond: number, factor: number) => (s: number) =>
  s >= 120 && s < 240 ? perSecond * factor : perSecond;

describe('AdmissionController with routes admitted and never judged (review15e H3)', () => {
  it('should release SHEDDABLE after a 2x or 3x overload as without them, whichever class they are in', () => {
    // 80 requests a second, a share of them on a route without a budget (CRITICAL, a protected
    // class, or SHEDDABLE, the class shed), served apart. With none, SHEDDABLE is back at 0 at
    // 317 (2x) and 327 (3x). Before (one learned ratio for the mix): with 10-50 % of unjudged
    // CRITICAL requests, SHEDDABLE stayed at 46-100 % to the end of the 900 s ("easing hurt,
    // the backlog grows" every 80 s). (At 50 % and 2x the judged load is 80 a second: no overload.)
    const outcomes = (['CRITICAL', 'SHEDDABLE'] as const).flatMap((unjudgedClass) =>
      [0.1, 0.2, 0.5].flatMap((share) =>
        [2, 3].map((factor) => {
          const judged = overload(Math.round(80 * (1 - share)), factor);
          const unjudged = overload(Math.round(80 * share), factor);
          const { releasedAt } = serve({ judged, unjudged, unjudgedClass }, 900);
          return {
            unjudgedClass,
            share,
            factor,
            releasedBy345: releasedAt !== undefined && releasedAt <= 345,
          };
        }),
      ),
    );
    expect(outcomes.filter((o) => !o.releasedBy345)).toEqual([]);
  });

  it('should shed nothing for a crawler on a route without a budget while every judged request is within budget', () => {
    // 80 judged a second at 0.5x their budget, 20 a second on the unjudged route, 100-400 a
    // second on it from 120 to 180 s. Before: at 121-122 SHEDDABLE 100 %, SHEDDABLE_PLUS 90 %,
    // CRITICAL 21-50 % (the route CRITICAL), or SHEDDABLE 57-100 % (the route SHEDDABLE): the
    // crawler's admissions read as a backlog the judged classes never showed.
    const decisions = (['CRITICAL', 'SHEDDABLE'] as const).flatMap((unjudgedClass) =>
      [100, 200, 400].flatMap((burst) => {
        const unjudged = (s: number) => (s >= 120 && s < 180 ? burst : 20);
        return serve({ judged: () => 80, unjudged, unjudgedClass }, 300).decisions;
      }),
    );
    expect(decisions).toEqual([]);
  });

  it('should release SHEDDABLE after an overload with operations recorded on a route without the middleware', () => {
    // 10 or 30 CRITICAL_PLUS operations a second recorded and never admitted (the class's ratio
    // of finished per admitted is 2-4), or a class only recorded (SHEDDABLE_PLUS: no part of what
    // admission lets in). With none, SHEDDABLE is back at 0 at 317 (2x) and 327 (3x).
    const released = (['CRITICAL_PLUS', 'SHEDDABLE_PLUS'] as const).flatMap((recordedClass) =>
      [10, 30].flatMap((recorded) =>
        [2, 3].map((factor) => {
          const routes = {
            judged: overload(80, factor),
            unjudged: () => 0,
            unjudgedClass: 'CRITICAL' as const,
          };
          return serve({ ...routes, recorded, recordedClass }, 900).releasedAt;
        }),
      ),
    );
    expect(released.every((second) => second !== undefined && second <= 345)).toBe(true);
  });
});

describe('FlowLog per class (review15e H3)', () => {
  const counts = (CRITICAL_PLUS: number, CRITICAL: number, SHEDDABLE: number) => ({
    CRITICAL_PLUS,
    CRITICAL,
    SHEDDABLE_PLUS: 0,
    SHEDDABLE,
  });

  type Counts = ReturnType<typeof counts>;

  it('should state each class by its own ratio, so shedding a class takes off its own share', () => {
    const log = new FlowLog();
    // Cumulative counts; a window of one second, so what a second adds is what is offered over it.
    let [admitted, finished] = [counts(0, 0, 0), counts(0, 0, 0)];
    const add = (a: Counts, b: Counts) =>
      counts(a.CRITICAL_PLUS + b.CRITICAL_PLUS, a.CRITICAL + b.CRITICAL, a.SHEDDABLE + b.SHEDDABLE);
    const second = (a: Counts, f: Counts, atMs: number) => {
      [admitted, finished] = [add(admitted, a), add(finished, f)];
      return log.mark(atMs, { admitted, finished, offered: a }, 1000, 20);
    };
    second(counts(10, 40, 70), counts(10, 20, 70), 0);
    for (let t = 1; t <= 60; t++) {
      second(counts(10, 40, 70), counts(10, 20, 70), t * 1000);
      log.learn(20, t * 1000, 1000);
    }
    // CRITICAL learned at ~0.5 operations per request, the others at 1; SHEDDABLE shed entirely:
    // 10 + 40 x 0.5 = 30 operations expected against 30 finished: steady, no backlog.
    const shed = second(counts(10, 40, 0), counts(10, 20, 0), 61_000);
    expect(shed?.scales.CRITICAL).toBeCloseTo(0.5, 2);
    expect(shed?.scales.SHEDDABLE).toBe(1);
    expect([shed?.arrivals, shed?.expected, shed?.completions]).toEqual([50, 30, 30]);
    // A crawler on the unjudged route, SHEDDABLE back in: 100 more CRITICAL admissions, nothing
    // else moves. CRITICAL reads 70 operations against 20 finished; SHEDDABLE (70 admitted, 70
    // finished) does not corroborate it, CRITICAL_PLUS (10: under minSamples) cannot: shared, it
    // reads level with its completions.
    const crawl = second(counts(10, 140, 70), counts(10, 20, 70), 62_000);
    expect([crawl?.expected, crawl?.shared, crawl?.completions]).toEqual([150, 100, 100]);
  });
});
