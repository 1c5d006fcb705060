// Cluster deltas that reach the primary late (review15g M4). A delta carries the admit() counts of
// a worker and the ratios of the operations that finished meanwhile; a ratio too old for the
// primary's window is in no percentile but still counts as finished (and a worker's buckets aged
// out unshipped go as `late` counts), so the flow sees every admitted request finish and reads no
// backlog that is not there. Two workers, each a FIFO of 50 a second, 60 s at 0.6x then 3x,
// settled with empty queues; from second 200 the worker -> primary messages are held.
import { describe, expect, it } from 'vitest';
import { ClassWindows } from '../../../agent/admission/class-windows.ts';
import type { Criticality } from '../../../agent/admission/criticality.ts';
import type { AdmissionDecision } from '../../../agent/admission/types.ts';
import { ManualClock } from '../../../agent/index.ts';
import { type TestWorker, testGroup } from '../cluster/cluster-group.ts';
import { evenly, lcg } from './setup.ts';

const CONFIG = {
  service: { name: 'svc' },
  contexts: { routine: { budget: '2s' } },
  degradation: { escalation: { ticks: 100_000 } },
};

const mix = (n: number): Criticality[] =>
  Array.from({ length: n }, (_, i) =>
    i % 10 === 0 ? 'CRITICAL_PLUS' : i % 10 < 3 ? 'CRITICAL' : 'SHEDDABLE',
  );

interface Stall {
  /** Worker -> primary messages held this long from second 200. */
  readonly lateMs?: number;
}

/** Links tick at 300 and 700 ms of each second, the primary at whole seconds; 300 s in all. */
function run({ lateMs = 0 }: Stall) {
  const { clock, primary, hub, workers, flush } = testGroup(CONFIG, 2, evenly());
  primary.admission('svc');
  const startMs = clock.now();
  workers.forEach((worker, i) => {
    clock.advance(startMs + (i === 0 ? 300 : 700) - clock.now());
    worker.link.start();
  });
  clock.advance(startMs + 1000 - clock.now());
  flush();
  const within = (ms: number, span: number) => ms > 200_000 && ms <= 200_000 + span;
  const queues = workers.map(() => [] as { c: Criticality; atMs: number }[]);
  const series = workers.map((w) => w.agent.series({ service: 'svc', operation: 'op', context: 'routine' }));
  const pick = lcg(11);
  const decisions: AdmissionDecision[] = [];
  let [criticalRejected, protectedOver] = [0, 0];
  for (let s = 0; s < 300; s++) {
    const arrivals = mix(s < 60 ? 60 : 300);
    for (let k = 0; k < 10; k++) {
      const stepStartMs = clock.now();
      const from = Math.round((k * arrivals.length) / 10);
      for (const c of arrivals.slice(from, Math.round(((k + 1) * arrivals.length) / 10))) {
        const w = Math.floor(pick() * workers.length);
        if (workers[w]!.agent.admission('svc').admit(c).admitted) queues[w]!.push({ c, atMs: stepStartMs });
        else if (c === 'CRITICAL' && s >= 195) criticalRejected++;
      }
      clock.advance(100);
      const nowMs = clock.now();
      queues.forEach((queue, w) => {
        for (const { c, atMs } of queue.splice(0, 5)) {
          series[w]!.record(nowMs - atMs, false, nowMs, Number.NEGATIVE_INFINITY, c);
          if (s >= 195 && c !== 'SHEDDABLE' && nowMs - atMs > 2000) protectedOver++;
        }
      });
      for (const w of workers) {
        if (!within(nowMs - startMs, lateMs)) w.up.flush();
        w.down.flush();
      }
      if ((nowMs - startMs) % 1000 === 0) {
        decisions.push(...primary.tick().admissionDecisions);
        hub.broadcast();
        for (const w of workers) w.down.flush();
      }
    }
  }
  const critical = decisions.filter((d) => d.criticality === 'CRITICAL' && d.at - startMs >= 195_000);
  const late = hub.stats().admissionLate;
  return { criticalRejected, protectedOver, criticalDecisions: critical.map((d) => d.message), late };
}

describe('cluster deltas reaching the primary late (review15g M4)', () => {
  const onTime = run({});

  it('should shed nothing protected with deltas on time', () => {
    expect(onTime).toEqual({ criticalRejected: 0, protectedOver: 0, criticalDecisions: [], late: 0 });
  });

  it.each([2000, 3500, 5000, 10_000])(
    'should shed no CRITICAL for deltas %i ms late, the late ratios counted',
    (lateMs) => {
      const held = run({ lateMs });
      expect({ ...held, late: held.late > 0 }).toEqual({ ...onTime, late: lateMs > 3000 });
    },
  );

  it('should ship ratios aged out unshipped as completions, which the primary counts as late', () => {
    const { clock, primary, hub, workers, flush } = testGroup(CONFIG, 1);
    const [worker] = workers as [TestWorker];
    primary.admission('svc');
    // The primary has not answered yet: the link says hello each tick and ships nothing.
    worker.link.start();
    const admission = worker.agent.admission('svc');
    for (const ratio of [0.5, 0.5, 0.7]) admission.record('CRITICAL', ratio, clock.now());
    admission.record('SHEDDABLE', 0.2, clock.now());
    expect(admission.admit('CRITICAL').admitted).toBe(true);
    clock.advance(4000);
    flush();
    const endMs = clock.now();
    admission.record('CRITICAL', 0.9, endMs);
    clock.advance(1000);
    const { message } = worker.up.pending.at(-1) as { message: { admission?: unknown[] } };
    expect(message.admission).toEqual([
      {
        namespace: '',
        service: 'svc',
        samples: { CRITICAL: [[endMs, 1.01 ** Math.round(Math.log(0.9) / Math.log(1.01)), 1]] },
        admitted: { CRITICAL: 1 },
        rejected: {},
        late: { CRITICAL: 3, SHEDDABLE: 1 },
      },
    ]);
    worker.up.flush();
    expect(hub.stats().admissionLate).toBe(4);
    expect(primary.admission('svc').state().classes.CRITICAL.admitted).toBe(1);
  });

  it('should count a ratio older than the window finished, in no percentile (ClassWindows)', () => {
    const clock = new ManualClock(1_700_000_000_000);
    const windows = new ClassWindows(3000, clock);
    const refused = [
      windows.record('CRITICAL', 2, clock.now() - 3000),
      windows.record('CRITICAL', Number.NaN, clock.now() - 5000),
      windows.record('CRITICAL', 2, clock.now() + 5000),
    ];
    windows.completed('SHEDDABLE', 2);
    expect(windows.record('CRITICAL', 0.5, clock.now())).toBe(true);
    expect({
      refused,
      receivedBy: windows.receivedBy,
      late: windows.late,
      samples: windows.count('CRITICAL'),
      received: windows.received,
      read: windows.read('CRITICAL', 'p95')?.ratio,
    }).toEqual({
      refused: [false, false, false],
      receivedBy: { CRITICAL_PLUS: 0, CRITICAL: 2, SHEDDABLE_PLUS: 0, SHEDDABLE: 2 },
      late: 3,
      samples: 1,
      received: 1,
      read: expect.closeTo(0.5, 2),
    });
  });
});
