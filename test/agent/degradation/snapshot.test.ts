// A degradation manager restored from another's snapshot (through JSON, as the store keeps it)
// decides exactly as the uninterrupted one: the level, sustain and dwell progress, the override
// with its expiry, the audit log and the decision sequence all carry over.
import { describe, expect, it } from 'vitest';
import { Agent } from '../../../agent/agent.ts';
import { ManualClock } from '../../../agent/clock.ts';
import { DegradationManager, parseSnapshot } from '../../../agent/degradation/index.ts';
import { resolveConfig } from '../../../config/index.ts';
import { verdictOf } from '../../helpers/verdicts.ts';
import { setup, TICK_MS } from './setup.ts';

/** A second manager on its own clock at the same time, restored from `source`'s snapshot through JSON. */
function restoredFrom(source: ReturnType<typeof setup>) {
  const clock = new ManualClock(source.clock.now());
  const manager = new DegradationManager({ config: source.config, clock, service: 'checkout' });
  const snapshot = parseSnapshot(JSON.parse(JSON.stringify(source.manager.snapshot())));
  if (typeof snapshot === 'string') throw new Error(snapshot);
  manager.restore(snapshot);
  const ticks = (count: number, observedMs: number) => {
    const decisions = [];
    for (let i = 0; i < count; i++) {
      clock.advance(TICK_MS);
      const decision = manager.observe([verdictOf(observedMs)]);
      if (decision !== undefined) decisions.push(decision);
    }
    return decisions;
  };
  return { manager, ticks };
}

describe('DegradationManager snapshot and restore', () => {
  it('should recover from CRITICAL at the same ticks with the same decisions after a restore mid-sustain', () => {
    const original = setup();
    original.ticks(3, 125); // CRITICAL
    original.ticks(20, 5); // 19 s of the 30 s sustain
    const restored = restoredFrom(original);
    expect(restored.manager.state()).toEqual(original.manager.state());
    expect(restored.ticks(110, 5)).toEqual(original.ticks(110, 5));
    expect(restored.manager.auditLog.entries()).toEqual(original.manager.auditLog.entries());
    expect(restored.manager.level).toBe('NONE');
  });

  it('should keep an override with its reason and expiry, and continue the sequence', () => {
    const original = setup();
    original.manager.override('SEVERE', 'incident 42', { untilMs: original.clock.now() + 10 * TICK_MS });
    original.ticks(3, 5);
    const snapshot = original.manager.snapshot();
    expect([snapshot.level, snapshot.override, snapshot.seq]).toEqual([
      'SEVERE',
      { reason: 'incident 42', untilMs: original.startMs + 10 * TICK_MS },
      1,
    ]);
    const restored = restoredFrom(original);
    expect(restored.manager.overridden).toBe(true);
    const after = restored.ticks(60, 5);
    expect(after).toEqual(original.ticks(60, 5));
    expect(after.map((d) => [d.seq, d.reason, d.to])).toEqual([
      [2, 'override-expired', 'SEVERE'],
      [3, 'recovery', 'MODERATE'],
    ]);
  });
});

describe('parseSnapshot', () => {
  const good = () => setup().manager.snapshot();
  it.each([
    [null, 'not an object'],
    [{ ...good(), version: 2 }, 'version 2 is not 1'],
    [{ ...good(), service: 3 }, 'no service'],
    [{ ...good(), level: 'HIGH' }, 'unknown level HIGH'],
    [{ ...good(), sinceMs: 'now' }, 'times are not numbers'],
    [{ ...good(), improvedSinceMs: Number.NaN }, 'improvedSinceMs is not a time'],
    [{ ...good(), override: { untilMs: 5 } }, 'override is not { reason, untilMs? }'],
    [{ ...good(), seq: -1 }, 'seq is not a whole number'],
    [{ ...good(), decisions: [{ seq: 1 }] }, 'decisions are not decisions'],
  ])('should refuse %j: %s', (value, reason) => {
    expect(parseSnapshot(value)).toBe(reason);
  });
});

describe('Agent.restoreDegradation', () => {
  it('should restore the services it can read and drop the rest, without throwing', () => {
    const clock = new ManualClock();
    const source = new Agent({ config: resolveConfig({}), clock });
    source.degradation('checkout', 'payments').override('CRITICAL', 'drill');
    const values = [...source.degradationSnapshots().values()];
    const agent = new Agent({ config: resolveConfig({}), clock });
    expect(agent.restoreDegradation([...values, { version: 1 }, 'junk'])).toEqual({
      restored: 1,
      dropped: 2,
    });
    expect(agent.degradation('checkout', 'payments').state()).toEqual(
      source.degradation('checkout', 'payments').state(),
    );
  });
});

describe('a snapshot dated after now (the wall clock stepped back between runs)', () => {
  it('should take its times as now, so recovery and maxDuration run from the restart, not from the future', () => {
    const original = setup();
    original.ticks(3, 125); // CRITICAL
    original.ticks(20, 5); // part of the sustain
    const snapshot = parseSnapshot(JSON.parse(JSON.stringify(original.manager.snapshot())));
    if (typeof snapshot === 'string') throw new Error(snapshot);
    const clock = new ManualClock(original.clock.now() - 24 * 3600_000); // a day behind the writer
    const manager = new DegradationManager({ config: original.config, clock, service: 'checkout' });
    manager.restore(snapshot);
    const restored = manager.snapshot();
    expect([restored.sinceMs, restored.heldSinceMs, restored.improvedSinceMs]).toEqual([
      clock.now(),
      clock.now(),
      clock.now(),
    ]);
    for (let i = 0; i < 200 && manager.level !== 'NONE'; i++) {
      clock.advance(TICK_MS);
      manager.observe([verdictOf(5)]);
    }
    expect(manager.level).toBe('NONE');
  });
});
