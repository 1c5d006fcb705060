// Where collector mode keeps its state (data/headroom.db of the working directory by default,
// storage.path, or nowhere with storage.enabled: false), and a start waiting for a held store's lock:
// the event loop runs, SIGTERM ends the wait at once with exit 0.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../app/cli/main.ts';
import { storePathOf } from '../../app/state-store-path.ts';
import { resolveConfig } from '../../config/index.ts';
import { killCollectors, startCollectorProcess, waitForCount } from '../helpers/collector-process.ts';

afterEach(killCollectors);

const PORTS =
  'receiver: { port: 0, grpc: { port: 0 } }\napi: { enabled: false }\nexporters: { prometheus: { enabled: false } }\n';

/** A working directory with `headroom.yaml` holding the ports plus `extra`. */
function workdir(extra = ''): { cwd: string; config: string } {
  const cwd = mkdtempSync(join(tmpdir(), 'headroom-cwd-'));
  const config = join(cwd, 'headroom.yaml');
  writeFileSync(config, PORTS + extra);
  return { cwd, config };
}

describe('storePathOf', () => {
  it('should default collector mode to data/headroom.db and keep embedded mode in memory unless a path is set', () => {
    const storage = (yaml: object) => resolveConfig({ config: { storage: yaml } }).storage;
    expect([
      storePathOf(storage({}), 'collector'),
      storePathOf(storage({}), 'embedded'),
      storePathOf(storage({ path: '/var/lib/h.db' }), 'collector'),
      storePathOf(storage({ path: '/var/lib/h.db' }), 'embedded'),
      storePathOf(storage({ enabled: false, path: '/var/lib/h.db' }), 'collector'),
      storePathOf(storage({ enabled: false }), 'embedded'),
    ]).toEqual(['data/headroom.db', undefined, '/var/lib/h.db', '/var/lib/h.db', undefined, undefined]);
  });
});

describe('headroom agent state store', () => {
  it('should keep state in data/headroom.db of its working directory by default', async () => {
    const { cwd, config } = workdir();
    const agent = startCollectorProcess([config], {}, { cwd });
    await agent.waitFor((r) => r.msg.startsWith('receiving OTLP/HTTP'), 'receiving');
    expect(agent.records()[0]).toMatchObject({
      level: 'info',
      path: 'data/headroom.db',
      msg: expect.stringMatching(/^state restored from data\/headroom\.db: 0 window slots, /),
    });
    expect(readdirSync(join(cwd, 'data')).sort()).toEqual(
      expect.arrayContaining(['headroom.db', 'headroom.db.lock']),
    );
    agent.child.kill('SIGTERM');
    expect((await agent.exited).code).toBe(0);
    // The last checkpoint ran within the shutdown bound, and the last log line says how it went
    // (nothing was received: nothing changed since the start).
    expect(agent.records().at(-1)).toMatchObject({
      msg: 'stopped (0 spans dropped)',
      checkpoint: 'unchanged',
      checkpointMs: expect.any(Number),
      timedOut: false,
    });
  });

  it('should keep state in memory only with storage.enabled: false', async () => {
    const { cwd, config } = workdir('storage: { enabled: false }\n');
    const agent = startCollectorProcess([config], {}, { cwd });
    await agent.waitFor((r) => r.msg.startsWith('receiving OTLP/HTTP'), 'receiving');
    agent.child.kill('SIGTERM');
    expect((await agent.exited).code).toBe(0);
    expect(agent.records().filter((r) => /state|store/.test(r.msg))).toEqual([]);
    expect(agent.records().at(-1)).toMatchObject({ checkpointMs: 0 });
    expect(agent.records().at(-1)?.checkpoint).toBeUndefined();
    expect(existsSync(join(cwd, 'data'))).toBe(false);
    const err: string[] = [];
    const code = await main(['state', 'export', '--config', config], {
      stdout: () => {},
      stderr: (text) => err.push(text),
      env: {},
    });
    expect([code, err]).toEqual([
      3,
      ['headroom state export: the configuration sets storage.enabled: false: no state is stored\n'],
    ]);
  });

  it('should wait for a held store with its event loop running and stop at once on SIGTERM, exiting 0', async () => {
    const { cwd, config } = workdir('storage: { lockTimeout: 10m }\n');
    const first = startCollectorProcess([config], {}, { cwd });
    await first.waitFor((r) => r.msg.startsWith('receiving OTLP/HTTP'), 'receiving');
    const second = startCollectorProcess([config], {}, { cwd, args: ['--watch'] });
    await second.waitFor((r) => r.msg.includes('is locked by another process'), 'waiting');
    // SIGHUP is answered while waiting: the event loop is not blocked by the wait.
    second.child.kill('SIGHUP');
    await waitForCount(second, 'SIGHUP during start-up: the configuration just read stays', 1);
    const signalledMs = performance.now();
    second.child.kill('SIGTERM');
    const { code, atMs } = await second.exited;
    expect([code, atMs - signalledMs < 3000]).toEqual([0, true]);
    expect(second.records().map((r) => [r.level, r.msg])).toEqual([
      ['info', 'state store data/headroom.db is locked by another process: waiting up to 600000 ms for it'],
      ['info', 'SIGHUP during start-up: the configuration just read stays'],
      ['info', 'SIGTERM received while starting: stopped'],
    ]);
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
  });
});
