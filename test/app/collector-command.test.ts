import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killCollectors, startCollectorProcess } from '../helpers/collector-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'headroom-agent-'));
afterEach(killCollectors);

const valid =
  'receiver: { port: 0, grpc: { port: 0 } }\napi: { port: 0, anonymous: [read] }\nexporters: { prometheus: { port: 0 } }\n';

/** A port some other process holds, and how to free it. */
async function takenPort(): Promise<{ port: number; release: () => void }> {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  return { port: (blocker.address() as { port: number }).port, release: () => blocker.close() };
}

describe('headroom agent', () => {
  it('should keep the running configuration when a reload finds an invalid file, and say why', async () => {
    const file = join(dir, 'reload.yaml');
    writeFileSync(file, valid);
    const agent = startCollectorProcess([file]);
    await agent.waitFor((r) => r.msg.startsWith('receiving OTLP/HTTP on http://127.0.0.1:'), 'receiving');
    writeFileSync(file, `${valid}contexts:\n  emergency:\n    budget: fast\n`);
    agent.child.kill('SIGHUP');
    const refused = await agent.waitFor((r) => r.msg.startsWith('reload refused'), 'reload refused');
    expect(refused).toMatchObject({
      level: 'warn',
      name: 'headroom-agent',
      code: 'HEADROOM_ERR_CONFIG_INVALID',
      msg: `reload refused, keeping the running configuration: HEADROOM_ERR_CONFIG_INVALID: invalid configuration (1 problem):\n  ${file}:6:13 contexts.emergency.budget: expected a duration such as 50ms, 1.5s, 2m, 1h30m or 30d (units us, ms, s, m, h, d, w), got "fast"`,
    });
    writeFileSync(file, `${valid}contexts:\n  emergency:\n    budget: 30ms\n`);
    agent.child.kill('SIGHUP');
    await agent.waitFor((r) => r.msg === `configuration reloaded from ${file}`, 'reloaded');
    agent.child.kill('SIGTERM');
    expect((await agent.exited).code).toBe(0);
  });

  it('should drain and exit 0 at once on SIGTERM when nothing is queued, logging JSON lines', async () => {
    const file = join(dir, 'term.yaml');
    writeFileSync(file, valid);
    const agent = startCollectorProcess([file]);
    await agent.waitFor((r) => r.msg.startsWith('decision API on'), 'decision API');
    const signalledMs = performance.now();
    agent.child.kill('SIGTERM');
    const { code, atMs } = await agent.exited;
    expect(code).toBe(0);
    expect(atMs - signalledMs).toBeLessThan(4000); // not the 10 s bound: nothing to drain
    const records = agent.records();
    for (const record of records) {
      expect(record).toMatchObject({
        name: 'headroom-agent',
        level: expect.any(String),
        msg: expect.any(String),
      });
      expect(new Date(record.time).toISOString()).toBe(record.time);
    }
    const tail = records.slice(-3).map(({ level, msg }) => ({ level, msg }));
    expect(tail).toEqual([
      { level: 'info', msg: 'SIGTERM received' },
      { level: 'info', msg: 'shutting down: draining the receiver and flushing exporters' },
      { level: 'info', msg: 'stopped (0 spans dropped)' },
    ]);
    expect(records.at(-1)).toMatchObject({ spansDropped: 0, metricPointsDropped: 0, timedOut: false });
  });

  it('should refuse to start with an invalid configuration, exit 1 and list every problem', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'receiver: { port: -1 }\n');
    const agent = startCollectorProcess([file]);
    expect((await agent.exited).code).toBe(1);
    const [record] = agent.records();
    expect(record).toMatchObject({
      level: 'error',
      code: 'HEADROOM_ERR_CONFIG_INVALID',
      issues: [expect.objectContaining({ path: 'receiver.port', file })],
    });
    expect(agent.records()).toHaveLength(1);
  });

  it('should make OpenTelemetry diag messages visible as JSON lines at the default level', async () => {
    const taken = await takenPort();
    const file = join(dir, 'diag.yaml');
    writeFileSync(
      file,
      `receiver: { port: 0, grpc: { port: 0 } }\napi: { enabled: false }\nexporters: { prometheus: { port: ${taken.port} } }\n`,
    );
    const agent = startCollectorProcess([file]);
    const diagLine = await agent.waitFor((r) => r.component === 'otel', 'from diag');
    expect(diagLine).toMatchObject({
      level: 'error',
      name: 'headroom-agent',
      msg: `headroom: Prometheus endpoint cannot listen on 127.0.0.1:${taken.port} (listen EADDRINUSE: address already in use 127.0.0.1:${taken.port}); metrics are not served`,
    });
    agent.child.kill('SIGTERM');
    expect((await agent.exited).code).toBe(0);
    taken.release();
    expect(agent.records().filter((r) => r.level === 'info').length).toBeGreaterThan(2);
  });

  it('should log only what OTEL_LOG_LEVEL lets through (error: no info lines)', async () => {
    const taken = await takenPort();
    const file = join(dir, 'quiet.yaml');
    writeFileSync(
      file,
      `receiver: { port: 0, grpc: { port: 0 } }\napi: { enabled: false }\nexporters: { prometheus: { port: ${taken.port} } }\n`,
    );
    const agent = startCollectorProcess([file], { OTEL_LOG_LEVEL: 'ERROR' });
    await agent.waitFor((r) => r.component === 'otel', 'from diag');
    agent.child.kill('SIGTERM');
    expect((await agent.exited).code).toBe(0);
    taken.release();
    expect(agent.records().map((r) => r.level)).toEqual(['error']);
  });
});

describe('headroom agent on a taken port', () => {
  it('should exit 1 with HEADROOM_ERR_COLLECTOR_LISTEN naming the address', async () => {
    const taken = await takenPort();
    const file = join(dir, 'taken.yaml');
    writeFileSync(
      file,
      `receiver: { port: ${taken.port}, grpc: { port: 0 } }\napi: { enabled: false }\nexporters: { prometheus: { enabled: false } }\n`,
    );
    const agent = startCollectorProcess([file]);
    expect((await agent.exited).code).toBe(1);
    taken.release();
    expect(agent.records()).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: expect.stringMatching(/^state restored from data\/headroom\.db: 0 window slots, /),
      }),
      expect.objectContaining({
        level: 'error',
        code: 'HEADROOM_ERR_COLLECTOR_LISTEN',
        msg: `HEADROOM_ERR_COLLECTOR_LISTEN: cannot listen on 127.0.0.1:${taken.port} for the OTLP receiver (EADDRINUSE)`,
      }),
    ]);
  });

  it('should exit 1 with HEADROOM_ERR_COLLECTOR_LISTEN naming the OTLP/gRPC address when 4317 is taken', async () => {
    const taken = await takenPort();
    const file = join(dir, 'taken-grpc.yaml');
    writeFileSync(
      file,
      `receiver: { port: 0, grpc: { port: ${taken.port} } }\napi: { enabled: false }\nexporters: { prometheus: { enabled: false } }\n`,
    );
    const agent = startCollectorProcess([file]);
    expect((await agent.exited).code).toBe(1);
    taken.release();
    expect(agent.records().at(-1)).toEqual(
      expect.objectContaining({
        level: 'error',
        code: 'HEADROOM_ERR_COLLECTOR_LISTEN',
        msg: `HEADROOM_ERR_COLLECTOR_LISTEN: cannot listen on 127.0.0.1:${taken.port} for the OTLP/gRPC receiver (EADDRINUSE)`,
      }),
    );
  });
});
