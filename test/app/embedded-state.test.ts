// Durable state of embedded mode (opt-in with storage.path): opened in the background after start()
// returns, restored once open, checkpointed at shutdown; a store another process holds, or one that
// cannot be opened, leaves the service in memory with one warning and headroom_state_store_mode,
// never a throw; node:sqlite is loaded only when a store is configured.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../agent/clock.ts';
import { startEmbedded as start } from '../../app/start.ts';
import type { EmbeddedHeadroom } from '../../instrumentation/index.ts';
import { exportStoredState, openSqliteStore } from '../../storage/index.ts';
import { ScriptedLoad } from '../helpers/agent.ts';
import { childEnv, runNode } from '../helpers/child-process.ts';
import { freePort } from '../helpers/free-port.ts';

const running: EmbeddedHeadroom[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((headroom) => headroom.shutdown()));
  diag.disable();
});

/** Headroom's diag lines (`level message`), captured from here on. */
function captureDiag(): string[] {
  const lines: string[] = [];
  const at = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  const logger: DiagLogger = {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: () => {},
    verbose: () => {},
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.INFO, suppressOverrideMessage: true });
  return lines;
}

function startWith(storage: object, extra: { clock?: ManualClock; metricsPort?: number } = {}) {
  const prometheus = extra.metricsPort === undefined ? { enabled: false } : { port: extra.metricsPort };
  const headroom = start({
    config: {
      service: { name: 'checkout' },
      exporters: { prometheus, otlp: { enabled: false } },
      storage,
    },
    env: {},
    registerGlobal: false,
    loadSampler: new ScriptedLoad(),
    clock: extra.clock,
  });
  running.push(headroom);
  return headroom;
}

const tempPath = () => join(mkdtempSync(join(tmpdir(), 'headroom-embedded-')), 'state.db');

describe('embedded start() with storage.path', () => {
  it('should restore what the previous start kept: level, override and decision history', async () => {
    const path = tempPath();
    const first = startWith({ path });
    first.agent.degradation('checkout').override('SEVERE', 'drill');
    const history = first.agent.degradation('checkout').auditLog.entries();
    await first.shutdown(); // waits for the open, then writes the last checkpoint
    const stored = (await exportStoredState(path, 100)).records.degradation ?? {};
    expect(Object.values(stored)).toEqual([expect.objectContaining({ level: 'SEVERE', seq: 1 })]);

    const second = startWith({ path });
    // The store opens in the background (a dynamic import and a file): real I/O, bounded polling.
    await vi.waitFor(() => expect(second.agent.degradation('checkout').level).toBe('SEVERE'));
    expect(second.agent.degradation('checkout').auditLog.entries()).toEqual(history);
    second.agent.degradation('checkout').clearOverride('done');
    expect(second.agent.degradation('checkout').auditLog.entries().at(-1)?.seq).toBe(2);
  });

  it('should run in memory with one warning and the metric when another process holds the store', async () => {
    const path = tempPath();
    const holder = await openSqliteStore({
      path,
      lockTimeoutMs: 0,
      clock: new ManualClock(),
      onWarning: () => {},
    });
    const lines = captureDiag();
    const clock = new ManualClock();
    const metricsPort = await freePort();
    const headroom = startWith({ path, lockTimeout: '1s' }, { clock, metricsPort });
    const waiting = `info headroom: state store ${path} is locked by another process: waiting up to 1000 ms for it`;
    await vi.waitFor(() => expect(lines).toContain(waiting));
    expect(headroom.track('quote', 'emergency', () => 'served while waiting')).toBe('served while waiting');
    await clock.advanceAsync(1000);
    const warning = `warn headroom: state store ${path} is locked by another process (waited 1000 ms): running in memory only; this service's degradation, SLO and alert state will not survive a restart`;
    await vi.waitFor(() => expect(lines.filter((line) => !line.startsWith('info'))).toEqual([warning]));
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(text).toContain('headroom_state_store_mode{mode="memory_locked"} 1');
    expect(text).toContain('headroom_state_checkpoints_enabled 0');
    await headroom.shutdown();
    holder.close();
    expect(lines.filter((line) => !line.startsWith('info'))).toEqual([warning]);
  });

  it('should never throw into the service when the store cannot be opened', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'headroom-embedded-')), 'a-file');
    writeFileSync(file, 'not a directory');
    const lines = captureDiag();
    const headroom = startWith({ path: join(file, 'state.db') });
    expect(headroom.track('quote', 'emergency', () => 1)).toBe(1);
    await vi.waitFor(() => expect(lines.filter((line) => line.startsWith('warn'))).toHaveLength(1));
    expect(lines.filter((line) => line.startsWith('warn'))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^warn headroom: cannot open state store ${join(file, 'state.db')} for writing: E[A-Z]+: .*: running in memory only; `,
        ),
      ),
    ]);
    await headroom.shutdown();
  });
});

describe('node:sqlite in an embedded service', () => {
  const START = new URL('../../app/start.ts', import.meta.url).href;

  /** Whether node:sqlite was resolved right after start() and after shutdown(), in a new process. */
  async function sqliteLoaded(storage: object): Promise<{ atStart: boolean; afterShutdown: boolean }> {
    const config = {
      service: { name: 'svc' },
      exporters: { prometheus: { enabled: false }, otlp: { enabled: false } },
      storage,
    };
    const script = `
      import { registerHooks } from 'node:module';
      const resolved = new Set();
      registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); resolved.add(r.url); return r; } });
      const { start } = await import('${START}');
      const headroom = start({ config: ${JSON.stringify(config)}, env: {}, registerGlobal: false });
      const atStart = resolved.has('node:sqlite');
      await headroom.shutdown();
      console.log(JSON.stringify({ atStart, afterShutdown: resolved.has('node:sqlite') }));
    `;
    const { code, stdout, stderr } = await runNode(['--input-type=module', '-e', script], {
      env: childEnv(),
    });
    expect([code, stderr.includes('Warning')]).toEqual([0, false]); // no ExperimentalWarning either
    return JSON.parse(stdout) as { atStart: boolean; afterShutdown: boolean };
  }

  it('should not be loaded without storage.path, and only after start() returned with one', async () => {
    expect(await sqliteLoaded({})).toEqual({ atStart: false, afterShutdown: false });
    expect(await sqliteLoaded({ path: tempPath() })).toEqual({ atStart: false, afterShutdown: true });
  });
});
