// Every durable section on a real store, time on a ManualClock: SLO histories, a firing burn-rate
// alert and the windows survive a restart as they were, and checkpoints write only what changed.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { Agent, type AlertEvent, connectAlerting, ManualClock } from '../../agent/index.ts';
import { createAlertState } from '../../app/alerting.ts';
import { createJsonLogger } from '../../app/logging.ts';
import { directorySection } from '../../app/state/keyed-sections.ts';
import type { WindowBatch } from '../../app/state/window-batches.ts';
import { windowSection } from '../../app/state/window-section.ts';
import { StateCheckpoints } from '../../app/state-checkpoints.ts';
import { ServiceDirectory } from '../../collector/index.ts';
import { exportStoredState } from '../../storage/index.ts';
import { configOf } from '../helpers/agent.ts';

const MINUTE_MS = 60_000;
const SERIES = { namespace: 'payments', service: 'checkout', operation: 'pay', context: 'routine' };

function storePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'headroom-sections-')), 'state.db');
}

function configFor(path: string) {
  return configOf({
    storage: { path, checkpointInterval: '5s', lockTimeout: '100ms' },
    slos: [{ name: 'checkout-latency', context: 'routine', objective: '99%' }],
    alerting: { rules: [{ name: 'checkout-burn', kind: 'burnRate', slo: 'checkout-latency' }] },
  });
}

/** An agent with SLOs, alerts and (optionally) a directory on `clock`, restored from the store at `path`. */
async function running(path: string, clock: ManualClock) {
  const lines: string[] = [];
  const { logger } = createJsonLogger({
    env: {},
    base: {},
    destination: { write: (line) => lines.push(JSON.parse(line).msg as string) },
  });
  const config = configFor(path);
  const agent = new Agent({ config, clock, processLoad: false });
  const state = createAlertState(agent);
  const directory = new ServiceDirectory({ limits: agent.registry.limits });
  const checkpoints = await StateCheckpoints.open(
    { path, lockTimeoutMs: 0 },
    { agent, ...state, directory },
    logger,
  );
  const events: AlertEvent[] = [];
  state.alerts.onAlert((event) => events.push(event));
  connectAlerting(agent, state);
  agent.start();
  checkpoints.start(config.storage.checkpointIntervalMs);
  /** One second of traffic: `count` spans of 100 ms, `failed` of them errors, ending now. */
  const second = (count: number, failed: number) => {
    const handle = agent.series(SERIES);
    for (let i = 0; i < count; i++) handle.record(100, i < failed, clock.now() - 1 - i);
    directory.admit(SERIES.service, SERIES.namespace, clock.now());
  };
  return { agent, state, directory, checkpoints, events, second, lines };
}

type Running = Awaited<ReturnType<typeof running>>;

/** Drives every agent through `seconds` of traffic on the shared clock. */
function drive(clock: ManualClock, agents: Running[], seconds: number, failed: number): void {
  for (let s = 0; s < seconds; s++) {
    for (const one of agents) one.second(10, failed);
    clock.advance(1000);
  }
}

describe('durable sections', () => {
  it('should carry SLO histories, a firing alert, the windows and the directory across a restart', async () => {
    const path = storePath();
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const before = await running(path, clock);
    drive(clock, [before], 10 * 60, 0);
    drive(clock, [before], 5 * 60, 5);
    const firing = before.events.at(-1) as AlertEvent;
    expect(firing.status).toBe('firing');
    before.agent.stop();
    before.checkpoints.close(); // the final checkpoint writes the slot still filling too
    const after = await running(path, clock);
    expect(after.lines[0]).toMatch(
      /: \d+ window slots, 1 degradation states, 1 admission states, 1 SLO histories, 1 alert instances, 1 services$/,
    );
    const now = clock.now();
    const windowOf = (one: Running) => one.agent.registry.list().map((s) => s.window.snapshot(now));
    expect(windowOf(after)).toEqual(windowOf(before));
    expect(after.state.slos.list()).toEqual(before.state.slos.list());
    expect(after.state.alerts.firing()).toEqual(before.state.alerts.firing());
    // The directory keeps last sightings to the minute.
    const toMinute = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;
    expect(after.directory.list()).toEqual(
      before.directory.list().map((info) => ({ ...info, lastSeenMs: toMinute(info.lastSeenMs) })),
    );
    // Both go on with the same input: the restored one pages no second time and resolves as the other.
    before.agent.start();
    const firstEvents = before.events.length;
    drive(clock, [before, after], 60, 5);
    drive(clock, [before, after], 30 * 60, 0);
    expect(after.events).toEqual(before.events.slice(firstEvents));
    // The alert firing at the restart is not sent again: its first event after is its resolution.
    const same = after.events.filter((event) => event.fingerprint === firing.fingerprint);
    expect([same[0]?.status, same[0]?.startsAt]).toEqual(['resolved', firing.startsAt]);
    expect(after.state.slos.list()).toEqual(before.state.slos.list());
    before.agent.stop();
    after.agent.stop();
    after.checkpoints.close();
  });

  it('should write closed window slots once, in one batch per checkpoint, and delete batches once aged out', () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1) + 100);
    const agent = new Agent({ config: configOf({}), clock, processLoad: false });
    const section = windowSection(agent);
    /** A checkpoint's changes: `+batch: epoch/count ...` per upsert, `-batch` per delete. */
    const checkpoint = (final = false) => {
      const changes = section.changes({ nowMs: clock.now(), final });
      changes.commit();
      const slots = (value: unknown) =>
        (value as WindowBatch).series.flatMap((one) =>
          one.slots.map((slot) => `${slot[0] - epoch}/${slot[1]}`),
        );
      return [
        ...changes.upserts.map((r) => `+${r.key}: ${slots(r.value).join(' ')}`),
        ...changes.deletes.map((r) => `-${r.key}`),
      ];
    };
    const epoch = Date.UTC(2026, 0, 1) / 1000;
    const handle = agent.series(SERIES);
    handle.record(100, false, clock.now() - 50);
    expect(checkpoint()).toEqual([]); // the slot is still filling
    clock.advance(900);
    handle.record(100, false, clock.now()); // the next slot
    expect(checkpoint()).toEqual(['+000000000000: 0/1']);
    expect(checkpoint()).toEqual([]);
    handle.record(100, false, Date.UTC(2026, 0, 1) + 10); // a late sample changes a closed slot
    expect(checkpoint()).toEqual(['+000000000001: 0/2']);
    expect(checkpoint(true)).toEqual(['+000000000002: 1/1']); // at shutdown, the slot still filling
    clock.advance(MINUTE_MS);
    expect(checkpoint()).toEqual(['-000000000000', '-000000000001', '-000000000002']);
  });

  it('should rewrite one chunk of an SLO history per checkpoint, and restore the whole history exactly', async () => {
    const path = storePath();
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const one = await running(path, clock);
    for (let minute = 0; minute < 7 * 60; minute++) {
      one.second(10, minute % 7 === 0 ? 1 : 0);
      clock.advance(MINUTE_MS); // past 6 h: the finest ring (1 min over 6 h) has wrapped
    }
    const samples = (await exportStoredState(path, 100)).records['slo-samples'] ?? {};
    expect(Object.keys(samples).length).toBeGreaterThan(20);
    const written = one.checkpoints.stats.records;
    one.second(10, 0);
    clock.advance(5000);
    // The window batch, the finest ring's newest chunk, at most one coarser chunk and the service.
    expect(one.checkpoints.stats.records - written).toBeLessThanOrEqual(4);
    one.agent.stop();
    one.checkpoints.close();
    const again = await running(path, clock);
    expect(again.state.slos.exportState()).toEqual(one.state.slos.exportState());
    again.agent.stop();
    again.checkpoints.close();
  });

  it('should drop stale, foreign and unreadable records, say how many, and delete them', async () => {
    const path = storePath();
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const first = await running(path, clock);
    first.agent.stop();
    first.checkpoints.close();
    const db = new DatabaseSync(path);
    const insert = db.prepare('INSERT INTO records (kind, key, value) VALUES (?, ?, ?)');
    const batch = (names: unknown, epoch: number) => ({
      version: 1,
      windowMs: 60_000,
      resolutionMs: 1000,
      relativeAccuracy: 0.01,
      endMs: (epoch + 1) * 1000,
      series: [{ names, lastRecordMs: null, slots: [[epoch, 1, 0, 0, 1, 0, [1], 0, 1, 1, 1, 0]] }],
    });
    const bad: [string, string, unknown][] = [
      ['window', '000000000007', batch(['payments', 'checkout'], 5)], // not five names
      ['window', '000000000008', batch(['', 'old', 'op', 'routine', ''], 5)], // long gone: not counted
      ['window', '000000000009', { series: 'none' }],
      ['degradation', 'x', { version: 99 }],
      ['admission', 'x', { version: 99 }],
      ['slo', '["checkout-latency","","x"]', { version: 99, resolutionsMs: [] }],
      ['slo-samples', '["checkout-latency","","x"]#0#1', 'garbage'],
      ['alert', '{x}', { version: 99 }],
      ['service', 'x', { namespace: 1 }],
    ];
    for (const [kind, key, value] of bad) insert.run(kind, key, JSON.stringify(value));
    db.close();
    const again = await running(path, clock);
    expect(again.lines[0]).toBe(
      `state restored from ${path}: 0 window slots, 0 degradation states, 0 admission states, 0 SLO histories, 0 alert instances, 0 services (7 stale or unreadable records dropped)`,
    );
    expect(again.checkpoints.checkpoint()).toBe(true);
    expect((await exportStoredState(path, 100)).records).toEqual({});
    again.agent.stop();
    again.checkpoints.close();
  });
});

describe('the service directory section', () => {
  it('should take a sighting dated after now (the clock stepped back) as now, never pinning a service', () => {
    const directory = new ServiceDirectory();
    const nowMs = 1_700_000_000_000;
    const values = [
      { namespace: 'payments', service: 'checkout', lastSeenMs: nowMs + 365 * 24 * 3600_000 },
      { namespace: 'payments', service: 'refunds', lastSeenMs: nowMs - 5000 },
    ];
    const records = values.map((value) => ({ kind: 'service', key: value.service, value }));
    expect(directorySection(directory).restore(new Map([['service', records]]), nowMs)).toEqual({
      restored: 2,
      dropped: 0,
    });
    expect(directory.list().map(({ service, lastSeenMs }) => [service, lastSeenMs])).toEqual([
      ['checkout', nowMs],
      ['refunds', nowMs - 5000],
    ]);
  });
});
