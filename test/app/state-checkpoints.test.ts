// Checkpoints of the agent's degradation state on a real store: only what changed is written, a
// failed write turns checkpoints off with one log line (never a throw), close writes the last one.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { Agent } from '../../agent/agent.ts';
import { ManualClock } from '../../agent/clock.ts';
import { createJsonLogger } from '../../app/logging.ts';
import { StateCheckpoints } from '../../app/state-checkpoints.ts';
import { resolveConfig } from '../../config/index.ts';
import { exportStoredState } from '../../storage/index.ts';

async function opened(
  path = join(mkdtempSync(join(tmpdir(), 'headroom-cp-')), 'state.db'),
  maxPageCount?: number,
) {
  const lines: Record<string, unknown>[] = [];
  const { logger } = createJsonLogger({
    env: {},
    base: {},
    destination: { write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  const config = resolveConfig({ config: { storage: { path, checkpointInterval: '1s' } } });
  const clock = new ManualClock();
  const agent = new Agent({ config, clock });
  const checkpoints = await StateCheckpoints.open(
    { path, lockTimeoutMs: 0, maxPageCount },
    { agent },
    logger,
  );
  return { path, lines, clock, agent, checkpoints };
}

describe('StateCheckpoints', () => {
  it('should write on the interval only what changed, and the last state at close', async () => {
    const { path, clock, agent, checkpoints, lines } = await opened();
    expect(lines.map((l) => l.msg)).toEqual([
      `state restored from ${path}: 0 window slots, 0 degradation states, 0 admission states`,
    ]);
    checkpoints.start(1000);
    agent.degradation('checkout').override('SEVERE', 'drill');
    clock.advance(1000);
    clock.advance(1000); // nothing changed: nothing written
    const size = () => JSON.stringify([...agent.degradationSnapshots().values()][0]).length;
    const first = size();
    expect(checkpoints.stats).toEqual({
      written: 1,
      enabled: true,
      records: 1,
      bytes: first,
      failed: 0,
      lastDurationMs: expect.any(Number),
    });
    agent.degradation('checkout').clearOverride('done');
    expect([checkpoints.close(), checkpoints.close()]).toEqual([
      { result: 'written', durationMs: expect.any(Number) },
      { result: 'off', durationMs: expect.any(Number) },
    ]);
    expect(checkpoints.stats).toEqual({
      written: 2,
      enabled: false,
      records: 2,
      bytes: first + size(),
      failed: 0,
      lastDurationMs: expect.any(Number),
    });
    const stored = (await exportStoredState(path, 100)).records.degradation as Record<
      string,
      { seq: number }
    >;
    expect(Object.values(stored).map((s) => s.seq)).toEqual([2]);
    const again = await opened(path);
    expect(again.agent.degradation('checkout').auditLog.entries()).toEqual(
      agent.degradation('checkout').auditLog.entries(),
    );
    again.checkpoints.close();
  });

  it('should turn checkpoints off with one error line when the store cannot be written', async () => {
    const { path, agent, checkpoints, lines } = await opened();
    const other = new DatabaseSync(path);
    other.exec('BEGIN EXCLUSIVE'); // unwritable for the store, as a full disk is
    agent.degradation('checkout').override('CRITICAL', 'drill');
    expect([checkpoints.checkpoint(), checkpoints.checkpoint()]).toEqual([false, false]);
    other.exec('ROLLBACK');
    other.close();
    expect(lines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual([
      `state store ${path} cannot be written (database is locked): checkpoints off until a restart`,
    ]);
    expect(checkpoints.stats).toEqual({
      written: 0,
      enabled: false,
      records: 0,
      bytes: 0,
      failed: 1,
      lastDurationMs: undefined,
    });
    expect(checkpoints.close().result).toBe('off');
  });

  it('should turn checkpoints off on a full disk (SQLITE_FULL) and keep the agent deciding', async () => {
    const { path, agent, clock, checkpoints, lines } = await opened(undefined, 8);
    checkpoints.start(1000);
    agent.degradation('small').override('MINIMAL', 'fits');
    clock.advance(1000);
    // 300 services with an override each: far more than 8 pages of 4 KiB.
    for (let i = 0; i < 300; i++)
      agent.degradation(`service-${i}`).override('SEVERE', `incident ${'x'.repeat(100)}`);
    clock.advance(1000);
    clock.advance(1000); // off: not tried again, no second line
    expect(lines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual([
      `state store ${path} cannot be written (database or disk is full): checkpoints off until a restart`,
    ]);
    expect(checkpoints.stats).toMatchObject({ written: 1, failed: 1, enabled: false });
    // The agent runs on its memory: it still decides, and the store keeps the last checkpoint whole.
    agent.degradation('service-7').override('CRITICAL', 'still deciding');
    expect(agent.degradation('service-7').level).toBe('CRITICAL');
    expect(checkpoints.close().result).toBe('off');
    const stored = (await exportStoredState(path, 100)).records.degradation ?? {};
    expect(Object.keys(stored)).toEqual([expect.stringContaining('small')]);
  });
});
