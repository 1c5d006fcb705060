import { describe, expect, it } from 'vitest';
import { Agent, ManualClock } from '../../../agent/index.ts';
import { configOf, ScriptedLoad } from '../../helpers/agent.ts';
import { mulberry32 } from '../../helpers/random.ts';
import { testGroup } from './cluster-group.ts';

const CONFIG = { service: { name: 'svc' } };
const names = { service: 'svc', operation: 'charge', context: 'routine' };

/** What a window and the totals show of one series: every count, percentile and bucket. */
function view(agent: Agent, nowMs: number) {
  const series = agent.registry.list().find((s) => s.operation === 'charge');
  if (series === undefined) return undefined;
  const { totals } = series;
  return {
    snapshot: series.window.snapshot(nowMs),
    last10s: series.window.snapshot(nowMs, 10_000),
    buckets: [...totals.bucketCounts],
    errorBuckets: [...totals.errorBucketCounts],
    count: totals.count,
    errorCount: totals.errorCount,
    lastRecordMs: series.window.lastRecordMs,
  };
}

describe('cluster deltas merged in the primary', () => {
  it('should give exactly the counts, percentiles and buckets of one process recording the same samples', () => {
    const { clock, primary, hub, workers, flush } = testGroup(CONFIG, 2);
    const reference = new Agent({
      config: configOf(CONFIG),
      clock: new ManualClock(),
      loadSampler: new ScriptedLoad(),
    });
    for (const worker of workers) worker.link.start();
    for (const worker of workers) hub.join(worker.id);
    flush();
    const random = mulberry32(7);
    const handles = workers.map((w) => w.agent.series(names));
    const ref = reference.series(names);
    let total = 0;
    // 25 s of traffic, spread unevenly over both workers, heavy-tailed, with errors; late samples too.
    for (let second = 0; second < 25; second++) {
      for (let i = 0; i < 80; i++) {
        const durationMs = 0.2 + 400 * random() ** 4;
        const isError = random() < 0.05;
        const endMs = clock.now() - Math.floor(random() * 3000);
        handles[random() < 0.7 ? 0 : 1]!.record(durationMs, isError, endMs);
        ref.record(durationMs, isError, endMs);
        total++;
      }
      clock.advance(1000);
      flush();
    }
    for (const worker of workers) worker.link.tick();
    flush();
    const merged = view(primary, clock.now());
    const expected = view(reference, clock.now());
    expect(merged).toEqual(expected);
    expect(merged?.count).toBe(total);
    expect(merged?.snapshot.count).toBe(total); // the 60 s window holds all 25 s
    const sumMs = primary.registry.list()[0]!.totals.sumMs;
    expect(sumMs).toBeCloseTo(reference.registry.list()[0]!.totals.sumMs, 6);
    expect(hub.stats()).toMatchObject({ workers: 2, seriesRefused: 0, slotsDropped: 0, messagesRefused: 0 });
  });

  it('should judge the merged windows: each worker alone has too few samples, the group violates', () => {
    const config = {
      ...CONFIG,
      contexts: { routine: { budget: '10ms', minSamples: 30 } },
      degradation: { escalation: { ticks: 1 }, levels: { minimal: { disable: ['recommendations'] } } },
    };
    const { clock, primary, hub, workers, flush } = testGroup(config, 2);
    for (const worker of workers) worker.link.start();
    flush();
    expect(workers.every((w) => w.link.answered)).toBe(true);
    const seen: string[] = [];
    workers[1]!.agent.degradation('svc').subscribe((d) => seen.push(`${d.from}->${d.to}`));
    for (const worker of workers) {
      const handle = worker.agent.series(names);
      for (let i = 0; i < 20; i++) handle.record(50, false, clock.now() - i);
    }
    clock.advance(1000);
    flush();
    const result = primary.tick();
    hub.broadcast();
    flush();
    expect(result.verdicts.map((v) => [v.status, v.samples])).toEqual([['violated', 40]]);
    expect(primary.degradation('svc').level).toBe('CRITICAL');
    for (const worker of workers) {
      const manager = worker.agent.degradation('svc');
      expect([manager.level, manager.features.enabled('recommendations')]).toEqual(['CRITICAL', false]);
      expect(manager.state()).toEqual(primary.degradation('svc').state());
    }
    expect(seen).toEqual(['NONE->CRITICAL']);
  });
});
