/**
 * Memory after eviction: a series the registry forgot (idle eviction, delete) must free its
 * samples even while a handle bound to it stays cached (the OTLP ingest keeps up to
 * 2 x window.maxSeries handles, keyed by names senders choose). Measured with the real GC.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { SeriesHandles } from '../../agent/index.ts';
import { testAgent } from '../helpers/agent.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapUsedBytes(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('series handles after their series is forgotten', () => {
  it('should not keep an evicted series samples in memory from a cached handle', () => {
    const { agent, clock } = testAgent();
    const handles = new SeriesHandles(agent);
    const svc = handles.of('svc');
    const baseline = heapUsedBytes();
    // 100 busy series: every slot of the 60 s window holds a sketch of 300 distinct durations.
    for (let second = 0; second < 60; second++) {
      clock.advance(1000);
      for (let op = 0; op < 100; op++) {
        const handle = svc.handle(`op-${op}`, 'routine', '');
        for (let i = 0; i < 300; i++) handle.record(1 + i * i, false, clock.now());
      }
    }
    const busyBytes = heapUsedBytes() - baseline;
    clock.advance(agent.config.limits.idleTimeMs + 60_000);
    agent.tick();
    const afterBytes = heapUsedBytes() - baseline;
    expect({ live: agent.registry.list().length, handles: handles.size }).toEqual({ live: 0, handles: 100 });
    // Measured: about 51 MB busy; about 0.5 MB held after eviction (the handles and emptied windows).
    expect(busyBytes).toBeGreaterThan(10_000_000);
    expect(afterBytes).toBeLessThan(busyBytes / 10);
  });

  it('should record through a kept handle into a fresh series once its series was evicted', () => {
    const { agent, clock } = testAgent();
    const handle = new SeriesHandles(agent).of('svc').handle('op', 'routine', '');
    handle.record(10, false, clock.now());
    handle.record(20, false, clock.now());
    const [first] = agent.registry.list();
    clock.advance(agent.config.limits.idleTimeMs + 60_000);
    agent.tick();
    handle.record(30, false, clock.now());
    const [second] = agent.registry.list();
    expect({
      retired: first?.retired,
      firstWindow: first?.window.snapshot(clock.now()).count,
      rebound: second !== first,
      secondWindow: second?.window.snapshot(clock.now()).count,
      secondTotal: second?.totals.count,
    }).toEqual({ retired: true, firstWindow: 0, rebound: true, secondWindow: 1, secondTotal: 1 });
  });
});
