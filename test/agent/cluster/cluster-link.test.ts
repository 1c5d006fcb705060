import { describe, expect, it } from 'vitest';
import { CLUSTER_PROTOCOL } from '../../../agent/cluster/protocol.ts';
import { testGroup } from './cluster-group.ts';

const CONFIG = { service: { name: 'svc' }, window: { length: '10s' } };
const names = { service: 'svc', operation: 'charge', context: 'routine' };

const total = (group: ReturnType<typeof testGroup>) =>
  group.primary.registry.list().reduce((sum, s) => sum + s.totals.count, 0);

describe('a cluster worker and its primary', () => {
  it('should say hello until the primary answers, keep its samples meanwhile, and ship them once answered', () => {
    const group = testGroup(CONFIG, 1);
    const [worker] = group.workers;
    worker!.link.start();
    // The primary is not listening yet: what the worker sends is lost.
    worker!.up.pending.splice(0);
    worker!.agent.series(names).record(5, false, group.clock.now());
    group.clock.advance(1000);
    expect(worker!.up.pending.map((p) => (p.message as { type: string }).type)).toEqual(['hello']);
    group.flush();
    expect(worker!.link.answered).toBe(true);
    group.clock.advance(1000);
    group.flush();
    expect(total(group)).toBe(1);
    expect(group.hub.stats()).toMatchObject({ workers: 1, deltas: 1 });
  });

  it('should drop and count slots held longer than a window unshipped, yet ship their histogram counts', () => {
    const group = testGroup(CONFIG, 1);
    const [worker] = group.workers;
    worker!.link.start();
    const handle = worker!.agent.series(names);
    for (let i = 0; i < 3; i++) handle.record(5, false, group.clock.now());
    group.clock.advance(12_000); // longer than the 10 s window; nobody answered
    handle.record(7, true, group.clock.now());
    expect(worker!.link.droppedBacklog).toBe(3);
    group.flush(); // the hello reaches the primary now, its state comes back
    group.clock.advance(1000);
    group.flush();
    const series = group.primary.registry.list()[0]!;
    expect([series.totals.count, series.totals.errorCount]).toEqual([4, 1]);
    expect(series.window.snapshot(group.clock.now()).count).toBe(1);
    expect(group.hub.stats().samplesDropped).toEqual({ invalid: 0, late: 0, duration: 0, backlog: 3 });
  });

  it('should send nothing more while the channel is congested, and lose nothing', () => {
    const group = testGroup(CONFIG, 1);
    const [worker] = group.workers;
    worker!.link.start();
    group.flush();
    const handle = worker!.agent.series(names);
    worker!.up.congested = true;
    for (let second = 0; second < 5; second++) {
      handle.record(5, false, group.clock.now());
      group.clock.advance(1000);
    }
    expect(worker!.up.pending).toHaveLength(1); // one delta went out and found the backlog full
    worker!.up.congested = false;
    group.flush();
    group.clock.advance(1000);
    group.flush();
    expect(total(group)).toBe(5);
    expect(group.hub.stats().deltas).toBe(2);
  });

  it('should keep what a dead worker shipped (counters never go back) and stop counting its load', () => {
    const group = testGroup(CONFIG, 2);
    for (const worker of group.workers) worker.link.start();
    group.flush();
    group.workers[0]!.load.signals = { eventLoopDelayP99Ms: 80, eventLoopUtilization: 0.9, cpu: 1 };
    group.workers[1]!.load.signals = { eventLoopDelayP99Ms: 5, eventLoopUtilization: 0.2, cpu: 1.5 };
    for (const worker of group.workers) worker.agent.series(names).record(5, false, group.clock.now());
    group.clock.advance(1000);
    group.flush();
    expect(group.hub.loadSampler.sample()).toEqual({
      eventLoopDelayP99Ms: 80,
      eventLoopUtilization: 0.9,
      cpu: 1.5,
    });
    group.hub.exit(1);
    group.workers[0]!.up.closed = true;
    group.clock.advance(1000);
    group.flush();
    expect(total(group)).toBe(2);
    expect(group.hub.loadSampler.sample()).toEqual({
      eventLoopDelayP99Ms: 5,
      eventLoopUtilization: 0.2,
      cpu: 1.5,
    });
    expect(group.hub.stats()).toMatchObject({ workers: 1, workersExited: 1 });
  });

  it("should make the worker follow the primary's override, modifiers and load factor", () => {
    const config = {
      ...CONFIG,
      adaptive: { modifiers: { sale: { factor: 1.5 } } },
      degradation: { levels: { moderate: { disable: ['recommendations'] } } },
    };
    const group = testGroup(config, 1);
    const [worker] = group.workers;
    worker!.link.start();
    group.flush();
    group.primary.degradation('svc').override('MODERATE', 'load test');
    group.primary.modifiers.set('sale');
    group.hub.broadcast();
    group.flush();
    const manager = worker!.agent.degradation('svc');
    expect(manager.state()).toEqual(group.primary.degradation('svc').state());
    expect(manager.features.enabled('recommendations')).toBe(false);
    expect(manager.auditLog.entries().map((d) => d.reason)).toEqual(['manual-override']);
    expect(worker!.agent.modifiers.active()).toEqual(['sale']);
    expect(worker!.agent.budgets.effectiveBudgetMs(200, 'routine')).toBe(300);
    group.primary.modifiers.clear('sale');
    group.hub.broadcast();
    group.hub.broadcast(); // unchanged: nothing sent
    expect(worker!.down.pending).toHaveLength(1);
    group.flush();
    expect(worker!.agent.modifiers.active()).toEqual([]);
    // A worker that drifted on its own is brought back by the next refresh.
    worker!.agent.degradation('svc').override('NONE', 'local');
    group.clock.advance(10_000);
    group.hub.broadcast();
    group.flush();
    expect(worker!.agent.degradation('svc').level).toBe('MODERATE');
    const state = {
      protocol: CLUSTER_PROTOCOL,
      type: 'state',
      services: [],
      modifiers: [],
      loadFactor: 1.25,
    };
    worker!.link.receive(state);
    expect(worker!.agent.budgets.effectiveBudgetMs(200, 'routine')).toBe(250);
  });

  it("should ignore the service's own messages and refuse malformed ones without throwing", () => {
    const group = testGroup(CONFIG, 1);
    const { hub, workers } = group;
    expect(hub.receive(1, { hello: 'from the service' })).toBe(false);
    expect(workers[0]!.link.receive('a string')).toBe(false);
    const bad = [
      { protocol: CLUSTER_PROTOCOL, type: 'delta' },
      {
        protocol: CLUSTER_PROTOCOL,
        type: 'delta',
        window: { version: 1, windowMs: 1, resolutionMs: 1, relativeAccuracy: 0.01 },
      },
      { protocol: CLUSTER_PROTOCOL, type: 'what' },
    ];
    for (const message of bad) expect(hub.receive(1, message)).toBe(true);
    const window = { version: 1, windowMs: 10_000, resolutionMs: 1000, relativeAccuracy: 0.01 };
    const series = [{ names: ['', 'svc', 'x', 'routine', ''], slots: [], totals: { boundsMs: [1] } }, 'nope'];
    hub.receive(1, { protocol: CLUSTER_PROTOCOL, type: 'delta', window, series, dropped: 'x', load: 1 });
    expect(hub.stats()).toMatchObject({ messagesRefused: 3, seriesRefused: 2, deltas: 1 });
    expect(
      workers[0]!.link.receive({ protocol: CLUSTER_PROTOCOL, type: 'state', services: [{}], loadFactor: -1 }),
    ).toBe(true);
    expect(workers[0]!.followed.factor).toBe(1);
  });
});
