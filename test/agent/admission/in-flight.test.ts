// Requests in flight are not a backlog (review15e H2): admitted minus finished is the requests in
// flight, rate x latency by Little's law, so it grows whenever the latency grows, with no queue and
// no capacity reached: a dependency that gets slower, a 2 s lock in the database while the event
// loop goes on admitting. Where a healthy rate is known, the flow sizes nothing while the
// admissions stay at it, unless it shows a capacity lost (agent/admission/flow-trust.ts).
import { describe, expect, it } from 'vitest';
import type { Criticality } from '../../../agent/admission/criticality.ts';
import type { AdmissionDecision } from '../../../agent/admission/types.ts';
import { evenly, finishDue, type InFlight, lcg, setup } from './setup.ts';

const mix = (n: number): Criticality[] =>
  Array.from({ length: n }, (_, i) =>
    i % 10 === 0 ? 'CRITICAL_PLUS' : i % 10 < 3 ? 'CRITICAL' : 'SHEDDABLE',
  );

/**
 * A Node service with no queue of its own (every admitted request runs at once, awaiting its
 * dependency): 80 requests a second (10/20/70 % CRITICAL_PLUS/CRITICAL/SHEDDABLE), each finishing
 * `latencyS(second admitted)` later, recorded at that latency over a 2 s budget. No capacity is
 * ever reached: shedding cannot change any latency here.
 */
function noQueue(latencyS: (second: number) => number, seconds: number) {
  const harness = setup({}, evenly());
  const { controller, clock } = harness;
  const inFlight: InFlight[] = [];
  const decisions: AdmissionDecision[] = [];
  let criticalRejected = 0;
  for (let s = 0; s < seconds; s++) {
    for (const criticality of mix(80)) {
      if (controller.admit(criticality).admitted)
        inFlight.push({ criticality, doneAt: s + latencyS(s), latency: latencyS(s) });
      else if (criticality === 'CRITICAL') criticalRejected++;
    }
    clock.advance(1000);
    finishDue({ controller, clock }, inFlight, s + 1);
    decisions.push(...controller.observe('NONE'));
  }
  return { harness, decisions, criticalRejected };
}

describe('AdmissionController where requests in flight grow with the latency, no queue (review15e H2)', () => {
  it('should shed nothing when a dependency goes from 0.1x to 0.6x of the budget', () => {
    // The admissions stay at the healthy rate learned in the first minute, so the growth of the
    // requests in flight is no backlog (flow-trust.ts). Before: at second 62
    // `SHEDDABLE rejection 0% -> 81%: CRITICAL p95 is 0.6x its budget (target 1x, 32 samples in
    // 3s); the backlog grows (240 admitted, 160 finished in 3s; 80 waiting)`, then 71-81 % of
    // SHEDDABLE rejected to the end ("easing hurt, the backlog grows"), within budget throughout.
    const { harness, decisions } = noQueue((s) => (s < 60 ? 0.2 : 1.2), 300);
    expect(harness.brief(decisions)).toEqual([]);
  });

  it('should never shed CRITICAL for a dependency slow beyond the budget (1.2x: shedding cannot help)', () => {
    // The latency alone decides (the flow is no backlog at the healthy rate): a bounded wind-up of
    // SHEDDABLE eased as `ineffective`, never CRITICAL. Before: SHEDDABLE 0 -> 100 % at 63,
    // CRITICAL from 64, cycling between its 50 % cap and `ineffective`: 1,733 CRITICAL rejected.
    const { criticalRejected } = noQueue((s) => (s < 60 ? 0.2 : 2.4), 300);
    expect(criticalRejected).toBe(0);
  });

  it('should not shed CRITICAL for a 1-3 s stall, full or half, of the dependency at 0.8x capacity (README step 2)', () => {
    // A FIFO finishing 100 a second, 80 offered; for 2 (or 3) s the database holds a lock and
    // nothing finishes while the event loop goes on admitting. README step 2: "a stall of 1-3 s
    // (GC, the event loop) is over before it could shed CRITICAL". Before: SHEDDABLE 0 -> 100 %
    // at the first tick, then CRITICAL 0 -> 30 % (`the backlog drains too slowly (184 admitted,
    // 200 finished in 3s; 64 waiting)`: 0.64 s of work), 50 CRITICAL requests rejected.
    // Half: the FIFO finishes 50 a second for the stall (one request in two waits on the lock).
    const stalls = [1, 2, 3].flatMap((stallS) => [0, 50].map((during) => [stallS, during] as const));
    const outcomes = stalls.map(([stallS, during]) => {
      const { controller, clock } = setup({}, evenly());
      const queue: Criticality[] = [];
      let criticalRejected = 0;
      for (let s = 0; s < 240; s++) {
        for (const criticality of mix(80)) {
          if (controller.admit(criticality).admitted) queue.push(criticality);
          else if (criticality === 'CRITICAL') criticalRejected++;
        }
        clock.advance(1000);
        const served = s >= 120 && s < 120 + stallS ? during : 100;
        // Ratios do not matter for the point: every request finishing is recorded at 0.5x, but
        // the stalled ones at their wait (one to three seconds more) over the 2 s budget.
        for (const criticality of queue.splice(0, served))
          controller.record(criticality, s >= 120 && s < 124 + stallS ? (1 + stallS) / 2 : 0.5, clock.now());
        controller.observe('NONE');
      }
      return criticalRejected;
    });
    expect(outcomes).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

/** Seconds a request admitted at `atS` (the `index`-th of the run) takes; `draw`: seeded, uniform in [0, 1). */
type LatencyS = (atS: number, draw: () => number, index: number) => number;

/**
 * The service of {@link noQueue}, 120 s at `healthy` requests a second (the healthy rate learned:
 * 80 for a load at 1x of it after, 100 for 0.8x), then 80 a second to 420 s; a request admitted
 * before 125 s takes 0.2 s, after it `latencyS`. `spread`: each request arrives at a random time
 * within its second (seeded lcg(`seed`), as its latency's draws), else at the second's start.
 * `count`: the requests of second `s`, if not these. The requests rejected per class and the decisions.
 */
function dependency(
  healthy: number,
  latencyS: LatencyS,
  spread: boolean,
  count?: (s: number) => number,
  seed = 1,
) {
  const { controller, clock } = setup({}, evenly());
  const draw = lcg(seed);
  const inFlight: InFlight[] = [];
  const decisions: AdmissionDecision[] = [];
  const rejected: Record<Criticality, number> = {
    CRITICAL_PLUS: 0,
    CRITICAL: 0,
    SHEDDABLE_PLUS: 0,
    SHEDDABLE: 0,
  };
  let index = 0;
  for (let s = 0; s < 420; s++) {
    for (const criticality of mix(count?.(s) ?? (s < 120 ? healthy : 80))) {
      const at = spread ? s + draw() : s;
      const latency = at < 125 ? 0.2 : latencyS(at, draw, index++);
      if (controller.admit(criticality).admitted)
        inFlight.push({ criticality, doneAt: at + latency, latency });
      else rejected[criticality]++;
    }
    clock.advance(1000);
    finishDue({ controller, clock }, inFlight, s + 1);
    decisions.push(...controller.observe('NONE'));
  }
  return { rejected, decisions };
}

/** A step to `level` x the 2 s budget; with `spread`, drawn over the second under it (p95 at the level). */
const step =
  (level: number): LatencyS =>
  (_at, draw) =>
    level * 2 - 1 + draw();
const flat =
  (level: number): LatencyS =>
  () =>
    level * 2;
/** A base of 0.2 s (0.1-0.3 s drawn), every request due in [180, 180 + s) held to its end (`every` 2: one in two). */
const stall =
  (seconds: number, every: number, spread: boolean): LatencyS =>
  (at, draw, index) => {
    const base = spread ? 0.1 + 0.2 * draw() : 0.2;
    const held = at + base >= 180 && at < 180 + seconds && index % every === 0;
    return held ? 180 + seconds - at : base;
  };
/** One request in two admitted in [180, 180 + s) blocked 3 s more (a lock on one shard). */
const halfBlocked =
  (seconds: number, spread: boolean): LatencyS =>
  (at, draw, index) =>
    (spread ? 0.1 + 0.2 * draw() : 0.2) + (at >= 180 && at < 180 + seconds && index % 2 === 0 ? 3 : 0);

/** From 0.2 s at 125 s to 2.4 s (1.2x the budget) at 185 s. */
const ramp: LatencyS = (at) => 0.2 + Math.min(1, (at - 125) / 60) * 2.2;
/** 1.4-2.4 s drawn (p95 1.2x the budget), then 0.2-0.4 s from 240 s. */
const stepDown: LatencyS = (at, draw) => (at < 240 ? 1.4 + draw() : 0.2 + 0.2 * draw());

describe('AdmissionController where requests in flight follow a latency that steps, stalls or spreads, no queue (review15e H2)', () => {
  it.each([
    ['1x', 0.6, false, 80],
    ['1x', 0.6, true, 80],
    ['1x', 0.75, false, 80],
    ['1x', 0.75, true, 80],
    ['0.8x', 0.6, false, 100],
    ['0.8x', 0.6, true, 100],
    ['0.8x', 0.75, false, 100],
    ['0.8x', 0.75, true, 100],
  ] as const)(
    'should shed nothing at %s of the healthy rate for a step to %sx of the budget (spread %s)',
    (_, level, spread, healthy) => {
      // Before: at 1x and 0.8x, nothing either; the in-flight growth (80 a second x 1-1.3 s) is under the
      // rate (then admission-step.ts trusted, d80c944).
      const { decisions } = dependency(healthy, spread ? step(level) : flat(level), spread);
      expect(decisions).toEqual([]);
    },
  );

  it.each([
    // [latency and load, spread, healthy rate, latency, SHEDDABLE rejected]; before (c1b10c4) in the comment.
    ['1.2x at 1x', false, 80, flat(1.2), 69], // 1,141
    ['1.2x at 1x', true, 80, step(1.2), 44], // 3,119
    ['2x at 1x', false, 80, flat(2), 200], // 2,208 CRITICAL, 16,085
    ['2x at 1x', true, 80, step(2), 200], // 1,430 CRITICAL, 15,553
    ['1.5 s + 0-1 s at 1x', true, 80, (_a: number, d: () => number) => 1.5 + d(), 60], // 4,822
    ['2.4 s + 0-1 s at 1x', true, 80, (_a: number, d: () => number) => 2.4 + d(), 177], // 1,207 CRITICAL, 14,983
    ['4 s + 0-1 s at 1x', true, 80, (_a: number, d: () => number) => 4 + d(), 200], // 2,174 CRITICAL, 15,878
    ['7.5-8.5 s at 1x', true, 80, step(4.25), 291], // 2,159 CRITICAL, 15,871
    ['1.2x at 0.8x', false, 100, flat(1.2), 192], // 5,722
    ['1.2x at 0.8x', true, 100, step(1.2), 131], // 6,541
    ['2x at 0.8x', false, 100, flat(2), 580], // 2,232 CRITICAL, 16,146
    ['2x at 0.8x', true, 100, step(2), 580], // 2,187 CRITICAL, 16,191
    ['1.5 s + 0-1 s at 0.8x', true, 100, (_a: number, d: () => number) => 1.5 + d(), 185], // 320 CRITICAL, 12,338
    ['2.4 s + 0-1 s at 0.8x', true, 100, (_a: number, d: () => number) => 2.4 + d(), 580], // 1,799 CRITICAL, 15,968
    ['4 s + 0-1 s at 0.8x', true, 100, (_a: number, d: () => number) => 4 + d(), 625], // 2,294 CRITICAL, 16,189
    ['7.5-8.5 s at 0.8x', true, 100, step(4.25), 803], // 2,264 CRITICAL, 16,016
  ] as const)(
    'should shed no CRITICAL for a dependency slow on its own (%s, spread %s): SHEDDABLE tried and eased',
    (_, spread, healthy, latencyS, sheddable) => {
      const { rejected, decisions } = dependency(healthy, latencyS, spread);
      expect(rejected).toEqual({ CRITICAL_PLUS: 0, CRITICAL: 0, SHEDDABLE_PLUS: 0, SHEDDABLE: sheddable });
      expect(decisions.filter((d) => d.criticality !== 'SHEDDABLE')).toEqual([]);
      expect(decisions.at(-1)?.to).toBe(0);
    },
  );

  it.each([
    // [what, spread, healthy rate, latency, SHEDDABLE rejected]: the stalls as before (c1b10c4),
    // the ramp and the step down before in the comment.
    ['a 1 s stall at 1x', false, 80, stall(1, 1, false), 0],
    ['a 2 s stall at 1x', false, 80, stall(2, 1, false), 0],
    ['a 3 s stall at 1x', false, 80, stall(3, 1, false), 133],
    ['a 1 s stall at 1x', true, 80, stall(1, 1, true), 0],
    ['a 2 s stall at 1x', true, 80, stall(2, 1, true), 17],
    ['a 3 s stall at 1x', true, 80, stall(3, 1, true), 133],
    ['a 3 s half stall at 1x', false, 80, stall(3, 2, false), 133],
    ['a 3 s half stall at 1x', true, 80, stall(3, 2, true), 122],
    ['a 3 s stall at 0.8x', false, 100, stall(3, 1, false), 133],
    ['a 3 s stall at 0.8x', true, 100, stall(3, 1, true), 131],
    ['a 3 s half stall at 0.8x', true, 100, stall(3, 2, true), 131],
    ['half blocked 3 s more for 1 s at 1x', true, 80, halfBlocked(1, true), 284],
    ['half blocked 3 s more for 3 s at 1x', false, 80, halfBlocked(3, false), 224],
    ['half blocked 3 s more for 3 s at 0.8x', true, 100, halfBlocked(3, true), 244],
    ['a ramp from 0.2 s to 2.4 s over 60 s at 1x', false, 80, ramp, 17], // 25
    ['a ramp from 0.2 s to 2.4 s over 60 s at 0.8x', false, 100, ramp, 67], // 86
    ['1.4-2.4 s, then 0.2-0.4 s from 240 s, at 1x', true, 80, stepDown, 44], // 1,295
    ['1.4-2.4 s, then 0.2-0.4 s from 240 s, at 0.8x', true, 100, stepDown, 131], // 4,228
  ] as const)('should shed no CRITICAL for %s (spread %s)', (_, spread, healthy, latencyS, sheddable) => {
    // A stall of up to 3 s is over before it could shed CRITICAL (README step 2); one over the
    // budget tries SHEDDABLE by the latency and recovers.
    const { rejected, decisions } = dependency(healthy, latencyS, spread);
    expect(rejected).toEqual({ CRITICAL_PLUS: 0, CRITICAL: 0, SHEDDABLE_PLUS: 0, SHEDDABLE: sheddable });
    expect(decisions.filter((d) => d.criticality !== 'SHEDDABLE')).toEqual([]);
    expect(decisions.at(-1)?.to ?? 0).toBe(0);
  });
});

/** A Poisson count of mean `mean` (Knuth's product of uniforms). */
function poisson(mean: number, draw: () => number): number {
  const limit = Math.exp(-mean);
  let [count, product] = [0, draw()];
  while (product > limit) {
    count++;
    product *= draw();
  }
  return count;
}

/**
 * {@link dependency} offered a Poisson count of `rate` a second throughout (seed `seed`), arrivals
 * spread over the second, `level` x the 2 s budget drawn over a second under it from 125 s: a load
 * that only averages the healthy rate (issue 15, jitter15's open class: 80 a second is 240 +-15 a
 * window, 5 % over the rate one window in five; the flow's one rule, agent/admission/flow-evidence.ts
 * criterion 4, asks for 3 standard deviations).
 */
function poissonLoad(rate: number, level: number, seed: number) {
  const counts = lcg(seed * 7919 + 13);
  return dependency(rate, step(level), true, () => poisson(rate, counts), seed);
}

describe('AdmissionController under a Poisson load at the healthy rate, requests in flight after a latency step (issue 15)', () => {
  it.each([
    // [rate, level]; before (1ddc357), SHEDDABLE rejected for seeds 1-3 in the comment.
    [40, 0.75], // 1,240 1,608 3,867
    [80, 0.75], // 2,789 2,944 3,126
    [200, 0.75], // 2,566 3,494 4,388
  ])('should shed nothing at %i a second for a step to %sx of the budget (seeds 1-3)', (rate, level) => {
    for (const seed of [1, 2, 3]) expect(poissonLoad(rate, level, seed).decisions).toEqual([]);
  });

  it.each([
    // [rate, level, SHEDDABLE rejected for seeds 1-3]; before (1ddc357) CRITICAL / SHEDDABLE rejected.
    [40, 2, [363, 323, 311]], // 0/2,857 139/5,793 303/6,753
    [80, 1.2, [56, 63, 52]], // 0/5,198 0/4,947 0/5,890
    [80, 2, [212, 249, 193]], // 246/10,128 86/11,231 393/12,136
    [80, 3, [234, 233, 280]], // 401/11,045 544/12,328 402/10,640
    [80, 4, [231, 251, 260]], // 542/11,596 613/11,973 531/11,907
    [200, 2, [536, 489, 489]], // 0/22,627 902/28,179 217/13,723
    [200, 4, [761, 647, 705]], // 1,704/23,459 1,306/29,871 1,103/27,679
  ] as const)(
    'should shed no CRITICAL at %i a second for a dependency at %sx of the budget: SHEDDABLE tried and eased',
    (rate, level, sheddable) => {
      const runs = [1, 2, 3].map((seed) => poissonLoad(rate, level, seed));
      expect(runs.map((run) => run.rejected)).toEqual(
        sheddable.map((n) => ({ CRITICAL_PLUS: 0, CRITICAL: 0, SHEDDABLE_PLUS: 0, SHEDDABLE: n })),
      );
      for (const { decisions } of runs) {
        expect(decisions.filter((d) => d.criticality !== 'SHEDDABLE')).toEqual([]);
        expect(decisions.at(-1)?.to).toBe(0);
      }
    },
  );
});
