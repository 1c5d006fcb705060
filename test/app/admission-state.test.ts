// Admission state through a real store: each service's shed pressure, recovery progress and
// admission audit log are checkpointed and come back at the next start; admits alone write nothing.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Agent } from '../../agent/agent.ts';
import { ManualClock } from '../../agent/clock.ts';
import { createJsonLogger } from '../../app/logging.ts';
import { StateCheckpoints } from '../../app/state-checkpoints.ts';
import { resolveConfig } from '../../config/index.ts';
import { exportStoredState } from '../../storage/index.ts';

async function opened(path: string, clock: ManualClock) {
  const lines: string[] = [];
  const { logger } = createJsonLogger({
    env: {},
    base: {},
    destination: { write: (line) => lines.push((JSON.parse(line) as { msg: string }).msg) },
  });
  const config = resolveConfig({ config: { storage: { path, checkpointInterval: '1s' } } });
  const agent = new Agent({ config, clock, random: () => 0.5 });
  const checkpoints = await StateCheckpoints.open({ path, lockTimeoutMs: 0 }, { agent }, logger);
  return { lines, agent, checkpoints };
}

describe('admission state in the store', () => {
  it('should keep each service shed pressure and audit log across a restart', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'headroom-admission-')), 'state.db');
    const clock = new ManualClock(Date.UTC(2026, 10, 30, 12));
    const first = await opened(path, clock);
    const admission = first.agent.admission('checkout', 'shop');
    for (let s = 0; s < 3; s++) {
      for (let i = 0; i < 30; i++) {
        admission.record('CRITICAL', 2, clock.now());
        admission.record('SHEDDABLE', 0.5, clock.now());
      }
      clock.advance(1000);
      first.agent.tick();
    }
    expect(first.checkpoints.checkpoint()).toBe(true);
    const written = first.checkpoints.stats.written;
    // Admissions change counters only: the next checkpoint has nothing to write.
    for (let i = 0; i < 10; i++) admission.admit('SHEDDABLE');
    expect(first.checkpoints.checkpoint()).toBe(true);
    expect(first.checkpoints.stats.written).toBe(written);
    first.checkpoints.close();
    const stored = (await exportStoredState(path, 100)).records.admission as Record<
      string,
      { pressure: number }
    >;
    expect(Object.values(stored).map((s) => s.pressure)).toEqual([0.3]);

    const second = await opened(path, clock);
    expect(second.lines[0]).toBe(
      `state restored from ${path}: 0 window slots, 1 degradation states, 1 admission states`,
    );
    const restored = second.agent.admission('checkout', 'shop');
    expect(restored.auditLog.entries()).toEqual(admission.auditLog.entries());
    expect([restored.pressure, restored.probability('SHEDDABLE')]).toEqual([0.3, 0.3]);
    // Decision numbers continue.
    for (let i = 0; i < 30; i++) {
      restored.record('CRITICAL', 2, clock.now());
      restored.record('SHEDDABLE', 0.5, clock.now());
    }
    clock.advance(1000);
    expect(second.agent.tick().admissionDecisions.map((d) => [d.seq, d.from, d.to])).toEqual([[4, 0.3, 0.4]]);
    second.checkpoints.close();
  });

  it('should keep the easing back-off across a restart (review ease4 M2)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'headroom-admission-')), 'state.db');
    const clock = new ManualClock(Date.UTC(2026, 10, 30, 12));
    const first = await opened(path, clock);
    const admission = first.agent.admission('checkout', 'shop');
    // 70 s of a queueing service at 3x (100 a second is capacity): SHEDDABLE at 100 %, two band
    // probes stepped back, so easing waits 20 s (and 60 s in the band).
    const offered = { CRITICAL_PLUS: 30, CRITICAL: 60, SHEDDABLE: 210 } as const;
    for (let s = 0; s < 70; s++) {
      const admitted = Object.entries(offered).map(
        ([c, n]) => [c, Math.round(n * (1 - admission.probability(c as 'CRITICAL')))] as const,
      );
      const ratio = (admitted.reduce((sum, [, n]) => sum + n, 0) / 100) ** 2;
      for (const [c, n] of admitted)
        for (let i = 0; i < n; i++) admission.record(c as 'CRITICAL', ratio, clock.now());
      clock.advance(1000);
      first.agent.tick();
    }
    const easing = admission.snapshot().easing;
    expect(easing?.backoffMs).toBe(20_000);
    expect(first.checkpoints.checkpoint()).toBe(true);
    first.checkpoints.close();
    const second = await opened(path, clock);
    expect(second.agent.admission('checkout', 'shop').snapshot().easing).toEqual(easing);
    second.checkpoints.close();
  });
});
