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

async function opened(path = join(mkdtempSync(join(tmpdir(), 'headroom-cp-')), 'state.db')) {
  const lines: Record<string, unknown>[] = [];
  const { logger } = createJsonLogger({
    env: {},
    base: {},
    destination: { write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  const config = resolveConfig({ config: { storage: { path, checkpointInterval: '1s' } } });
  const clock = new ManualClock();
  const agent = new Agent({ config, clock });
  const checkpoints = await StateCheckpoints.open({ path, lockTimeoutMs: 0 }, { agent }, logger);
  return { path, lines, clock, agent, checkpoints };
}

describe('StateCheckpoints', () => {
  it('should write on the interval only what changed, and the last state at close', async () => {
    const { path, clock, agent, checkpoints, lines } = await opened();
    expect(lines.map((l) => l.msg)).toEqual([
      `state restored from ${path}: 0 window slots, 0 degradation states`,
    ]);
    checkpoints.start(1000);
    agent.degradation('checkout').override('SEVERE', 'drill');
    clock.advance(1000);
    clock.advance(1000); // nothing changed: nothing written
    const size = () => JSON.stringify([...agent.degradationSnapshots().values()][0]).length;
    const first = size();
    expect(checkpoints.stats).toEqual({ written: 1, enabled: true, records: 1, bytes: first });
    agent.degradation('checkout').clearOverride('done');
    checkpoints.close();
    checkpoints.close();
    expect(checkpoints.stats).toEqual({ written: 2, enabled: false, records: 2, bytes: first + size() });
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
    expect(checkpoints.stats).toEqual({ written: 0, enabled: false, records: 0, bytes: 0 });
    checkpoints.close();
  });
});
