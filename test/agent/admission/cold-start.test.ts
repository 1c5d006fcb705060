import { describe, expect, it } from 'vitest';
import type { Criticality } from '../../../agent/admission/criticality.ts';
import type { AdmissionDecision } from '../../../agent/admission/types.ts';
import { evenly, proxyQueue, setup } from './setup.ts';

/** 10 % CRITICAL_PLUS, 20 % CRITICAL, 70 % SHEDDABLE of `n` requests. */
const mix = (n: number): Criticality[] =>
  Array.from({ length: n }, (_, i) =>
    i % 10 === 0 ? 'CRITICAL_PLUS' : i % 10 < 3 ? 'CRITICAL' : 'SHEDDABLE',
  );

const reasons = (decisions: readonly AdmissionDecision[]) => new Set(decisions.map((d) => d.reason));

/**
 * A service slow on its own from its first second (review15f M2): 80 requests a second, each
 * awaiting a dependency that takes `latencyS` (budget 2 s), no queue, no capacity limit: every
 * admitted request finishes `latencyS` later. In process each asks `admit()`; as a collector sees
 * it, the controller's share is turned away in the service. The pressure at the end, the highest,
 * the CRITICAL requests rejected and the decisions' reasons.
 */
function slowFromStart(latencyS: number, inProcess: boolean) {
  const { controller, clock } = setup({}, evenly());
  const draw = evenly();
  const inFlight: { criticality: Criticality; doneAt: number }[] = [];
  const decisions: AdmissionDecision[] = [];
  let [highest, criticalRejected] = [0, 0];
  for (let s = 0; s < 300; s++) {
    for (const criticality of mix(80)) {
      const admitted = inProcess
        ? controller.admit(criticality).admitted
        : draw() >= controller.probability(criticality);
      if (admitted) inFlight.push({ criticality, doneAt: s + latencyS });
      else if (criticality === 'CRITICAL') criticalRejected++;
    }
    clock.advance(1000);
    for (let i = inFlight.length - 1; i >= 0; i--) {
      const request = inFlight[i]!;
      if (request.doneAt > s + 1) continue;
      controller.record(request.criticality, latencyS / 2, clock.now());
      inFlight.splice(i, 1);
    }
    decisions.push(...controller.observe('NONE'));
    highest = Math.max(highest, controller.pressure);
  }
  return { pressure: controller.pressure, highest, criticalRejected, reasons: reasons(decisions) };
}

describe('AdmissionController started into an overload, no healthy rate learned (review15f M2)', () => {
  // Every embedded instance starts with no healthy rate (only `headroom agent` keeps one): a new
  // instance an autoscaler adds because of the overload, a restart after a crash, a deploy at peak.
  // Behind a queue bounded in the proxy the latency saturates, as a slow dependency's does; the
  // capacity check (capacity-check.ts) tells them apart with no rate: shedding lowered nothing of
  // what finishes. Before: SHEDDABLE 0 -> 50 %, eased as `ineffective` by second 17, then every
  // protected request over budget (10,800 of 10,800 at 3x, 2x and 1.5x behind 300).
  it.each([
    [300, 150],
    [300, 200],
    [300, 300],
    [500, 150],
    [500, 200],
    [500, 300],
  ])(
    'should keep protected requests within budget behind a queue bound of %i offered %i a second (capacity 100)',
    (limit, load) => {
      const { decisions, protectedCount, overBudget } = proxyQueue(setup({}, evenly()), {
        limit,
        perSecond: () => load,
        capacity: 100,
        seconds: 420,
        from: 60,
      });
      // Every protected request offered from second 60 on is admitted and finished.
      expect(protectedCount).toBeGreaterThanOrEqual(load * 0.3 * 360 - 30);
      expect(overBudget).toBeLessThan(protectedCount * 0.005);
      expect(reasons(decisions).has('ineffective')).toBe(false);
    },
  );

  it.each([2.4, 2.8])(
    'should still ease a dependency slow from the first second as a collector sees it (%ss, budget 2s)',
    (latencyS) => {
      // Shedding lowers what finishes by the share shed: the service keeps up, it is slow on its own.
      // A collector (`headroom agent`, whose durable state keeps the rate) does not check with no rate.
      expect(slowFromStart(latencyS, false)).toEqual({
        pressure: 0,
        highest: latencyS === 2.4 ? 0.24 : 0.48,
        criticalRejected: 0,
        reasons: new Set(['overload', 'ineffective']),
      });
    },
  );

  it.each([2.4, 2.8])(
    'should never shed CRITICAL for a dependency slow from the first second in process (%ss)',
    (latencyS) => {
      // In process the requests in flight (80 x 2.4 s) read as a backlog from the first tick, before
      // any flow was steady (the open class of requests in flight, not the check's): SHEDDABLE is held
      // at 70-90 % as without the check (73-86 %), never anything above it.
      const run = slowFromStart(latencyS, true);
      expect(run.criticalRejected).toBe(0);
      expect(run.highest).toBeLessThanOrEqual(1);
    },
  );
});

describe('AdmissionController started into an overload behind an unbounded FIFO, no healthy rate learned (issue 15)', () => {
  // The capacity check with no rate waits for its verdict while the flow drains (requests admitted
  // before the shedding still finishing), no longer than those in flight at its start had waited
  // (Little's law: flow-evidence.ts impliedMs). A FIFO of small capacity offered 3x, SHEDDABLE at
  // 100 % by second 12 with the protected classes 10 % under the capacity, drains at the capacity
  // whatever is shed: the check held it there for 93 s at 3.5-4.5x the budget (1,120 of 9,815
  // protected over budget at 20 a second) before the flow sized CRITICAL's share. Since the window
  // reach (f9b88ed: the law reads back whole windows where one is short) these FIFOs decide as
  // early with or without the bound; it still shortens the hold of the smaller ones
  // (low-capacity.test.ts: 2 a second at 3x, 10 a second at 1.5x behind 3 s).
  it.each([
    // [capacity, offered x, protected over budget, finished from second 60]; before (1ddc357) in the comment.
    [15, 2, 0, 4860], // 0 of 4,860
    [20, 2, 0, 6481], // 0 of 6,480
    [30, 2, 46, 9720], // 0 of 9,721
    [15, 3, 0, 7154], // 186 of 7,741
    [20, 3, 0, 9720], // 1,120 of 9,815
    [25, 3, 5, 12_131], // 3 of 12,937
    [30, 3, 0, 14_580],
    [40, 3, 0, 19_440],
  ])(
    'should protect a FIFO finishing %i a second offered %ix from its first second',
    (capacity, factor, over, count) => {
      const { protectedCount, overBudget } = proxyQueue(setup({}, evenly()), {
        limit: 100_000,
        perSecond: () => factor * capacity,
        capacity,
        seconds: 600,
        from: 60,
      });
      expect({ overBudget, protectedCount }).toEqual({ overBudget: over, protectedCount: count });
    },
  );
});
