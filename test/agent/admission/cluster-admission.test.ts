// Admission in Node cluster mode (review15f H4): the primary's controllers steer on the ratios and
// admit() counts every worker ships, and each worker's admit() decides with the probabilities the
// primary has in force (floors included), as connectDecisions().admit() does with a collector's.
// One primary and two workers on a manual clock, their IPC channels delivered when the test says.
import { describe, expect, it } from 'vitest';
import type { Criticality } from '../../../agent/admission/criticality.ts';
import { CLUSTER_PROTOCOL } from '../../../agent/cluster/protocol.ts';
import type { Agent } from '../../../agent/index.ts';
import { mulberry32 } from '../../helpers/random.ts';
import { type TestWorker, testGroup } from '../cluster/cluster-group.ts';

// Degradation escalates late here, so the controller's own steps show (not a level's floor).
const CONFIG = {
  service: { name: 'svc' },
  contexts: { routine: { budget: '100ms' } },
  degradation: { escalation: { ticks: 100 } },
};

/** Per class: requests offered and the duration (ms) of those admitted, in one worker each second. */
type Traffic = Partial<Record<Criticality, { offered: number; durationMs: number }>>;

/** The two-worker group; `second(traffic)` runs one second of it and returns what the workers' admit() said. */
function setup(seed = 7) {
  const group = testGroup(CONFIG, 2, mulberry32(seed));
  const { clock, primary, hub, workers, flush } = group;
  // As the primary's Headroom does at start: its service's controller is ticked from the first tick.
  primary.admission('svc');
  for (const worker of workers) worker.link.start();
  flush();
  /** Each worker offers `traffic` (admitted requests recorded through its series), then every side ticks. */
  const second = (traffic: Traffic) => {
    const outcomes: Record<string, number> = {};
    for (const worker of workers) {
      const series = worker.agent.series({ service: 'svc', operation: 'op', context: 'routine' });
      for (const [criticality, { offered, durationMs }] of Object.entries(traffic)) {
        for (let i = 0; i < offered; i++) {
          const result = worker.agent.admission('svc').admit(criticality as Criticality);
          const key = result.admitted ? `${criticality} admitted` : `${criticality} ${result.reason}`;
          outcomes[key] = (outcomes[key] ?? 0) + 1;
          if (result.admitted)
            series.record(
              durationMs,
              false,
              clock.now(),
              Number.NEGATIVE_INFINITY,
              criticality as Criticality,
            );
        }
      }
    }
    clock.advance(1000);
    for (const worker of workers) worker.link.tick();
    flush();
    primary.tick();
    hub.broadcast();
    flush();
    return outcomes;
  };
  return { ...group, second };
}

const probabilities = (agent: Agent) => {
  const { classes } = agent.admission('svc').state();
  return Object.fromEntries(Object.entries(classes).map(([c, s]) => [c, s.probability]));
};

const counts = (agent: Agent) => {
  const { classes } = agent.admission('svc').state();
  return Object.fromEntries(Object.entries(classes).map(([c, s]) => [c, [s.admitted, s.rejected]]));
};

/** Both workers' own admit() counts added, per class. */
const workerCounts = (workers: readonly TestWorker[]) => {
  const [a, b] = workers.map((w) => counts(w.agent)) as [Record<string, number[]>, Record<string, number[]>];
  return Object.fromEntries(Object.keys(a).map((c) => [c, [a[c]![0]! + b[c]![0]!, a[c]![1]! + b[c]![1]!]]));
};

describe('admission in Node cluster mode (review15f H4)', () => {
  it("should reject SHEDDABLE in every worker at the primary's SEVERE floor, and never CRITICAL_PLUS", () => {
    const { primary, workers, second } = setup();
    primary.degradation('svc').override('SEVERE', 'load test');
    second({});
    for (const worker of workers) {
      expect(worker.agent.degradation('svc').level).toBe('SEVERE');
      const results = Array.from({ length: 5 }, () => worker.agent.admission('svc').admit('SHEDDABLE'));
      const rejected = {
        admitted: false,
        criticality: 'SHEDDABLE',
        code: 'HEADROOM_ADMISSION_REJECTED',
        reason: 'degradation-level',
        probability: 1,
        retryAfterMs: 1000,
        message:
          'SHEDDABLE request rejected: the service is degraded to SEVERE, so 100% of SHEDDABLE requests are shed; retry after 1s',
      };
      expect(results).toEqual(Array.from({ length: 5 }, () => rejected));
      expect(worker.agent.admission('svc').admit('CRITICAL_PLUS')).toEqual({
        admitted: true,
        criticality: 'CRITICAL_PLUS',
      });
    }
    // Back to NONE: the floor's share is the primary's pressure now (review15g H2), eased by its
    // recovery one maxStep a tick; every worker follows each step.
    primary.degradation('svc').override('NONE', 'load test over');
    const seen = Array.from({ length: 16 }, () => {
      second({});
      return [primary, ...workers.map((w) => w.agent)].map((agent) =>
        agent.admission('svc').probability('SHEDDABLE'),
      );
    });
    const released = [1, 1, 1, 1, 1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0, 0];
    expect(seen).toEqual(released.map((p) => [p, p, p]));
    for (const worker of workers)
      expect(worker.agent.admission('svc').admit('SHEDDABLE')).toEqual({
        admitted: true,
        criticality: 'SHEDDABLE',
      });
  });

  it("should shed in both workers what the primary's controller sheds from their merged ratios", () => {
    const { primary, workers, second } = setup();
    // 15 CRITICAL a second per worker at 2x the budget: neither worker alone has minSamples (20).
    const overload: Traffic = {
      CRITICAL: { offered: 15, durationMs: 200 },
      SHEDDABLE: { offered: 15, durationMs: 50 },
    };
    const steps: number[] = [];
    for (let s = 0; s < 5; s++) {
      second(overload);
      steps.push(primary.admission('svc').probability('SHEDDABLE'));
      for (const worker of workers) expect(probabilities(worker.agent)).toEqual(probabilities(primary));
    }
    expect(steps).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    const outcomes = second(overload);
    expect(outcomes['CRITICAL admitted']).toBe(30);
    expect(outcomes['SHEDDABLE overload']).toBeGreaterThan(0);
    expect((outcomes['SHEDDABLE overload'] ?? 0) + (outcomes['SHEDDABLE admitted'] ?? 0)).toBe(30);
    // The primary counts every request the workers judged (its flow, offered load and metrics).
    second({});
    expect(counts(primary)).toEqual(workerCounts(workers));
    expect(counts(primary).CRITICAL).toEqual([6 * 30, 0]);
  });

  it('should ship ratios to within 0.5 %, by 100 ms of end time, with the admit() counts', () => {
    const { workers, clock } = setup();
    const [worker] = workers as [TestWorker];
    const admission = worker.agent.admission('svc');
    const endMs = clock.now() - 450;
    for (const ratio of [0, 0.123, 1, 1.004, 7.77]) admission.record('CRITICAL', ratio, endMs);
    admission.record('SHEDDABLE', 1, endMs - 100);
    admission.record('SHEDDABLE', 1, endMs - 50);
    admission.admit('SHEDDABLE_PLUS');
    worker.link.tick();
    const [{ message }] = worker.up.pending as unknown as [{ message: Record<string, unknown> }];
    const step = (ratio: number) => 1.01 ** Math.round(Math.log(ratio) / Math.log(1.01));
    expect(message.admission).toEqual([
      {
        namespace: '',
        service: 'svc',
        samples: {
          CRITICAL: [
            [endMs, 0, 1],
            [endMs, step(0.123), 1],
            [endMs, 1, 2],
            [endMs, step(7.77), 1],
          ],
          SHEDDABLE: [
            [endMs - 100, 1, 1],
            [endMs - 50, 1, 1],
          ],
        },
        admitted: { SHEDDABLE_PLUS: 1 },
        rejected: {},
      },
    ]);
    expect(Math.abs(step(0.123) / 0.123 - 1)).toBeLessThan(0.005);
    expect(Math.abs(step(7.77) / 7.77 - 1)).toBeLessThan(0.005);
    // Shipped once: the next delta has no admission.
    worker.link.tick();
    expect((worker.up.pending[1] as { message: Record<string, unknown> }).message.admission).toBeUndefined();
  });

  it("should ease the primary's shedding after 3 intervals without renewal, counted, keep the level's floors, then follow again", () => {
    const { primary, workers, clock, hub, flush, second } = setup();
    const [worker] = workers as [TestWorker];
    const overload: Traffic = {
      CRITICAL: { offered: 15, durationMs: 200 },
      SHEDDABLE: { offered: 15, durationMs: 50 },
    };
    for (let s = 0; s < 3; s++) second(overload);
    const shedding = worker.agent.admission('svc');
    expect(shedding.probability('SHEDDABLE')).toBe(0.3);
    // The primary stalls: nothing reaches the worker.
    const stall = () => {
      const seen: number[] = [];
      for (let s = 0; s < 6; s++) {
        clock.advance(1000); // the link ticks each second
        seen.push(shedding.probability('SHEDDABLE'));
      }
      return seen;
    };
    // Stale after 3 intervals: eased one maxStep an interval, each step a decision (review15g M4).
    expect(stall()).toEqual([0.3, 0.3, 0.2, 0.1, 0, 0]);
    const stale = (from: number, to: number, forS: number) => ({
      from,
      to,
      reason: 'stale',
      message: `SHEDDABLE rejection ${from * 100}% -> ${to * 100}%: the cluster primary has not renewed its admission for ${forS}s; eased one step (10%) a 1s interval, down to the floors of NONE, until it speaks again`,
    });
    expect(
      shedding.auditLog.entries().map(({ from, to, reason, message }) => ({ from, to, reason, message })),
    ).toEqual([stale(0.3, 0.2, 3), stale(0.2, 0.1, 4), stale(0.1, 0, 5)]);
    expect(worker.link.admissionFallbacks).toBe(1);
    worker.up.flush();
    expect(hub.stats().admissionFallbacks).toBe(1);
    // It speaks again: followed at once.
    primary.tick();
    hub.broadcast();
    flush();
    expect(shedding.probability('SHEDDABLE')).toBe(primary.admission('svc').probability('SHEDDABLE'));
    expect(shedding.probability('SHEDDABLE')).toBeGreaterThan(0);
    // At SEVERE, the level's floor stays with the level the worker follows (as its features do).
    primary.degradation('svc').override('SEVERE', 'load test');
    primary.tick();
    hub.broadcast();
    flush();
    expect(stall()).toEqual([1, 1, 1, 1, 1, 1]);
    expect(shedding.admit('SHEDDABLE')).toMatchObject({ admitted: false, reason: 'degradation-level' });
    expect(worker.link.admissionFallbacks).toBe(2);
  });

  it('should renew a shedding state every evaluation interval, an idle one every 10 s', () => {
    const { primary, workers, clock, hub } = setup();
    const [worker] = workers as [TestWorker];
    const sent = () => worker.down.pending.splice(0).length;
    hub.broadcast();
    sent();
    clock.advance(1000);
    hub.broadcast();
    expect(sent()).toBe(0);
    primary.degradation('svc').override('SEVERE', 'load test');
    primary.tick();
    hub.broadcast();
    expect(sent()).toBe(1);
    const renewals: number[] = [];
    for (let s = 0; s < 3; s++) {
      clock.advance(500);
      hub.broadcast();
      renewals.push(sent());
    }
    expect(renewals).toEqual([0, 1, 0]);
  });

  it('should drop malformed admission in either direction without throwing, counting it in the primary', () => {
    const { primary, workers, hub, clock } = setup();
    const [worker] = workers as [TestWorker];
    const base = { namespace: '', service: 'svc', samples: {}, admitted: {}, rejected: {} };
    const delta = (admission: unknown) => ({
      protocol: CLUSTER_PROTOCOL,
      type: 'delta',
      window: { version: 1, windowMs: 60_000, resolutionMs: 1000, relativeAccuracy: 0.01 },
      series: [],
      dropped: {},
      admission,
    });
    const now = clock.now();
    hub.receive(1, delta('nope'));
    hub.receive(
      1,
      delta([null, { service: 1 }, { ...base, samples: { CRITICAL: [[now, -1, 1], [now, 1, 0.5], 'x'] } }]),
    );
    hub.receive(1, delta([{ ...base, admitted: { SHEDDABLE: -3, CRITICAL: 2.5, SHEDDABLE_PLUS: 4 } }]));
    expect(hub.stats().admissionRefused).toBe(5);
    expect(counts(primary).SHEDDABLE_PLUS).toEqual([4, 0]);
    expect(counts(primary).SHEDDABLE).toEqual([0, 0]);
    const good = { ...base, ...primary.admission('svc').followable() };
    const shedding = { ...good, probabilities: { ...good.probabilities, SHEDDABLE: 1 } };
    for (const admission of [
      'x',
      [null],
      [{ ...shedding, probabilities: { ...good.probabilities, SHEDDABLE: 2 } }],
      [{ ...shedding, level: 'WORSE' }],
      [{ ...shedding, bounds: { caps: {} } }],
      [{ ...shedding, retryAfterMs: -1 }],
      [{ ...shedding, enabled: 'yes' }],
    ]) {
      const state = { ...hub.state(), admission };
      expect(worker.link.receive(JSON.parse(JSON.stringify(state)))).toBe(true);
      expect(worker.agent.admission('svc').admit('SHEDDABLE').admitted).toBe(true);
    }
    worker.link.receive({ ...hub.state(), admission: [shedding] });
    expect(worker.agent.admission('svc').admit('SHEDDABLE').admitted).toBe(false);
    // CRITICAL_PLUS stays at 0 whatever a state says.
    worker.link.receive({
      ...hub.state(),
      admission: [{ ...shedding, probabilities: { ...shedding.probabilities, CRITICAL_PLUS: 1 } }],
    });
    expect(worker.agent.admission('svc').admit('CRITICAL_PLUS').admitted).toBe(true);
  });
});
