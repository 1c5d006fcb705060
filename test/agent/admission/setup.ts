/** Shared set-up of the admission controller tests: a real parsed config, a manual clock, one-second ticks. */
import { AdmissionController } from '../../../agent/admission/admission-controller.ts';
import type { Criticality } from '../../../agent/admission/criticality.ts';
import type { AdmissionDecision } from '../../../agent/admission/types.ts';
import { ManualClock } from '../../../agent/clock.ts';
import type { DegradationLevel } from '../../../agent/degradation/levels.ts';
import { configSchema, deepFreeze, type HeadroomConfigInput } from '../../../config/index.ts';

/** The evaluation interval of the default config, ms. */
const TICK_MS = 1000;

type AdmissionInput = NonNullable<HeadroomConfigInput['admission']>;

/** Parses `admission` through the real schema (so defaults apply) and deep-freezes it like the loader. */
export function admissionConfig(admission: AdmissionInput = {}) {
  return deepFreeze(configSchema.parse({ admission }).admission);
}

/** Ratios per class fed before each tick; a class left out gets no sample. */
export type Load = Partial<Record<Criticality, number>>;

/** Uniform draws in [0, 1) from a seeded linear congruential generator (glibc's constants). */
export function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return x / 2_147_483_648;
  };
}

/** Draws taken in order from `values`, then 0.999 forever. */
export function scripted(values: readonly number[]): () => number {
  let i = 0;
  return () => values[i++] ?? 0.999;
}

/** A controller for service `checkout` on a fresh manual clock. */
export function setup(admission: AdmissionInput = {}, random?: () => number) {
  const clock = new ManualClock();
  const config = admissionConfig(admission);
  const controller = new AdmissionController({ config, clock, service: 'checkout', random });
  const startMs = clock.now();
  /** Records `count` samples of each class in `load` at the current time. */
  const feed = (load: Load, count = 30): void => {
    for (const [criticality, ratio] of Object.entries(load))
      for (let i = 0; i < count; i++) controller.record(criticality as Criticality, ratio, clock.now());
  };
  /** Feeds `load`, advances one tick and observes at `level`. */
  const tick = (load: Load = {}, level: DegradationLevel = 'NONE', count = 30) => {
    feed(load, count);
    clock.advance(TICK_MS);
    return controller.observe(level);
  };
  /** `count` ticks with the same load; the decisions taken, in order. */
  const ticks = (count: number, load: Load = {}, level: DegradationLevel = 'NONE') => {
    const decisions: AdmissionDecision[] = [];
    for (let i = 0; i < count; i++) decisions.push(...tick(load, level));
    return decisions;
  };
  /** Seconds since the start of the test. */
  const secondsOf = (decision: AdmissionDecision) => (decision.at - startMs) / 1000;
  /** `[second, class, from, to, reason]` of each decision, for sequences. */
  const brief = (decisions: readonly AdmissionDecision[]) =>
    decisions.map((d) => [secondsOf(d), d.criticality, d.from, d.to, d.reason]);
  const harness = { clock, config, controller, startMs, feed, tick, ticks, brief };
  /**
   * `count` ticks of the {@link queueingPlant} at `level`: each tick the classes offer `offered`
   * requests, the admitted ones take `(admitted / capacity)^2` of their budget; the decisions taken.
   */
  const run = (count: number, offered: Offered, level: DegradationLevel = 'NONE', capacity = 100) => {
    const decisions: AdmissionDecision[] = [];
    for (let i = 0; i < count; i++) {
      queueingPlant(harness, offered, capacity);
      clock.advance(TICK_MS);
      decisions.push(...controller.observe(level));
    }
    return decisions;
  };
  return { ...harness, run };
}

/** A request admitted and not finished: its class, when it finishes (s since the start) and its latency, s. */
export interface InFlight {
  readonly criticality: Criticality;
  readonly doneAt: number;
  readonly latency: number;
}

/**
 * Records the requests of `inFlight` done by `untilS` (s since the start) at the clock's time, each
 * at its latency over a 2 s budget, and takes them out: a service with no queue of its own.
 */
export function finishDue(
  harness: Pick<ReturnType<typeof setup>, 'controller' | 'clock'>,
  inFlight: InFlight[],
  untilS: number,
): void {
  for (let i = inFlight.length - 1; i >= 0; i--) {
    const request = inFlight[i]!;
    if (request.doneAt > untilS) continue;
    harness.controller.record(request.criticality, request.latency / 2, harness.clock.now());
    inFlight.splice(i, 1);
  }
}

/** Requests offered per tick, per class. */
export type Offered = Partial<Record<Criticality, number>>;

/**
 * A service behind a queue, for closed-loop tests: each tick every class offers its requests, the
 * controller's probabilities turn them away (deterministically: `offered x (1 - p)`, rounded), and
 * every admitted request takes `(admitted / capacity)^2` of its budget, so the ratio is 1 exactly
 * at capacity (as the shedding bench measures capacity: where p95 reaches the budget) and grows
 * with the admitted load: shedding helps. Returns the ratio of the tick.
 */
export function queueingPlant(
  harness: Pick<ReturnType<typeof setup>, 'controller' | 'feed'>,
  offered: Offered,
  capacityPerTick: number,
): number {
  const { controller, feed } = harness;
  const admitted = Object.entries(offered).map(([criticality, count]) => {
    const p = controller.probability(criticality as Criticality);
    return [criticality as Criticality, Math.round(count * (1 - p))] as const;
  });
  const ratio = Math.round((admitted.reduce((sum, [, n]) => sum + n, 0) / capacityPerTick) ** 2 * 1e3) / 1e3;
  for (const [criticality, count] of admitted) feed({ [criticality]: ratio }, count);
  return ratio;
}

/** Per class: requests offered, admitted, and completed within their budget (ratio <= 1). */
export type Tally = Record<Criticality, { offered: number; admitted: number; withinBudget: number }>;

/**
 * Draws spread evenly over [0, 1) (the golden-ratio sequence): deterministic, and over any run of
 * draws a class with probability p is rejected in close to p of them, as the seeded draws of a
 * real service would be on average.
 */
export function evenly(): () => number {
  let x = 0;
  return () => (x = (x + 0.618_033_988_749_895) % 1);
}

/** Offered requests, one per class share, interleaved as arrivals mix in time (largest lag first). */
function interleaved(offered: Offered): Criticality[] {
  const classes = Object.entries(offered).map(([c, n]) => ({ criticality: c as Criticality, n, taken: 0 }));
  const total = classes.reduce((sum, c) => sum + c.n, 0);
  const order: Criticality[] = [];
  for (let i = 1; i <= total; i++) {
    let next = classes[0]!;
    let lag = Number.NEGATIVE_INFINITY;
    for (const c of classes) {
      const behind = (c.n * i) / total - c.taken;
      if (c.taken < c.n && behind > lag) [next, lag] = [c, behind];
    }
    next.taken++;
    order.push(next.criticality);
  }
  return order;
}

/**
 * A capacity-limited FIFO service (review15b N1/N2: a backlog the memoryless plant cannot show).
 * Each tick the classes' requests arrive interleaved by share and each asks `admit()` (use a
 * controller made with {@link evenly} draws); the admitted ones join one queue, and the service
 * completes the first `capacityPerTick` of it by the end of the tick; each completion is recorded
 * then, as the agent records a finished span, with ratio = its time in the system (whole ticks)
 * / `budgetTicks` (a request admitted and served in the same tick is `1 / budgetTicks`). The
 * backlog carries over to the next tick.
 */
export function fifoPlant(
  harness: Pick<ReturnType<typeof setup>, 'controller' | 'clock'>,
  capacityPerTick: number,
  budgetTicks = 2,
) {
  const { controller, clock } = harness;
  const queue: { criticality: Criticality; tick: number }[] = [];
  let head = 0;
  let now = 0;
  const tally = {} as Tally;
  /** One tick: the arrivals of `offered` ask admission, the service serves, the clock advances one tick. */
  const step = (offered: Offered) => {
    for (const criticality of interleaved(offered)) {
      tally[criticality] ??= { offered: 0, admitted: 0, withinBudget: 0 };
      const t = tally[criticality];
      t.offered++;
      if (!controller.admit(criticality).admitted) continue;
      t.admitted++;
      queue.push({ criticality, tick: now });
    }
    now++;
    clock.advance(TICK_MS);
    const end = Math.min(queue.length, head + capacityPerTick);
    for (; head < end; head++) {
      const { criticality, tick } = queue[head]!;
      const ratio = (now - tick) / budgetTicks;
      controller.record(criticality, ratio, clock.now());
      if (ratio <= 1) tally[criticality].withinBudget++;
    }
  };
  return { step, tally, backlog: () => queue.length - head };
}

/** Options of {@link proxyQueue}. */
export interface ProxyQueueOptions {
  /** Requests the proxy lets wait; it refuses one while that many wait (the service never sees it). */
  readonly limit: number;
  /** Requests offered in second `s` (10 % CRITICAL_PLUS, 20 % CRITICAL, 70 % SHEDDABLE, interleaved across seconds). */
  readonly perSecond: (second: number) => number;
  /** Requests the FIFO finishes a second. */
  readonly capacity: number;
  readonly seconds: number;
  /** Protected requests are counted from this second on. */
  readonly from: number;
  /**
   * Collector mode: the service's own `admit()` rejects with the controller's probabilities
   * (draws of `random`), and the controller counts each request from its span (`requested`).
   */
  readonly collector?: { readonly random: () => number };
}

/**
 * A service with `admit()` in process behind a proxy that bounds its queue (review15d H2): each
 * second the offered requests not refused by the proxy ask `admit()` (use a controller made with
 * {@link evenly} draws) and join the FIFO, which finishes `capacity` a second, each recorded at its
 * time in the system over a 2 s budget. The decisions, the protected requests finished from
 * `from` on and how many were over budget, and the last second one finished over budget (from 0).
 */
export function proxyQueue(
  harness: Pick<ReturnType<typeof setup>, 'controller' | 'clock'>,
  options: ProxyQueueOptions,
) {
  const { controller, clock } = harness;
  // Numbered across seconds, so a rate that is not a multiple of 10 keeps the shares too.
  let offered = 0;
  const mix = (n: number): Criticality[] =>
    Array.from({ length: n }, () => {
      const i = offered++ % 10;
      return i === 0 ? 'CRITICAL_PLUS' : i < 3 ? 'CRITICAL' : 'SHEDDABLE';
    });
  const { collector } = options;
  const admitted = (criticality: Criticality) => {
    if (collector === undefined) return controller.admit(criticality).admitted;
    controller.requested(criticality);
    return collector.random() >= controller.probability(criticality);
  };
  const queue: { criticality: Criticality; second: number }[] = [];
  const decisions: AdmissionDecision[] = [];
  let [protectedCount, overBudget] = [0, 0];
  let lastOverS: number | undefined;
  for (let s = 0; s < options.seconds; s++) {
    for (const criticality of mix(options.perSecond(s)))
      if (queue.length < options.limit && admitted(criticality)) queue.push({ criticality, second: s });
    clock.advance(TICK_MS);
    for (const { criticality, second } of queue.splice(0, options.capacity)) {
      const ratio = (s + 1 - second) / 2;
      controller.record(criticality, ratio, clock.now());
      if (criticality === 'SHEDDABLE') continue;
      if (ratio > 1) lastOverS = s + 1;
      if (s < options.from) continue;
      protectedCount++;
      if (ratio > 1) overBudget++;
    }
    decisions.push(...controller.observe('NONE'));
  }
  return { decisions, protectedCount, overBudget, lastOverS };
}
