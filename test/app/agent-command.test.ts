import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'headroom-agent-'));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Starts `headroom agent` in a child process and collects what it logs. */
function startAgent(configFile: string) {
  const child = spawn(process.execPath, ['test/helpers/run-cli.ts', 'agent', '--config', configFile], {
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = async (text: string, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!log.includes(text)) {
      if (Date.now() > deadline) throw new Error(`"${text}" not logged; log so far:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return { child, exited, waitFor, log: () => log };
}

const valid =
  'receiver: { port: 0 }\napi: { port: 0, anonymous: [read] }\nexporters: { prometheus: { port: 0 } }\n';

describe('headroom agent', () => {
  it('should keep the running configuration when a reload finds an invalid file, and say why', async () => {
    const file = join(dir, 'reload.yaml');
    writeFileSync(file, valid);
    const agent = startAgent(file);
    await agent.waitFor('receiving OTLP/HTTP on http://127.0.0.1:');
    writeFileSync(file, `${valid}contexts:\n  emergency:\n    budget: fast\n`);
    agent.child.kill('SIGHUP');
    await agent.waitFor('reload refused');
    expect(agent.log()).toContain(
      `headroom agent: reload refused, keeping the running configuration: HEADROOM_ERR_CONFIG_INVALID: invalid configuration (1 problem):\n  ${file}:6:13 contexts.emergency.budget: expected a duration`,
    );
    writeFileSync(file, `${valid}contexts:\n  emergency:\n    budget: 30ms\n`);
    agent.child.kill('SIGHUP');
    await agent.waitFor(`configuration reloaded from ${file}`);
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
  });

  it('should drain and exit 0 within the shutdown bound on SIGTERM', async () => {
    const file = join(dir, 'term.yaml');
    writeFileSync(file, valid);
    const agent = startAgent(file);
    await agent.waitFor('decision API on');
    const started = Date.now();
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(agent.log()).toContain('headroom agent: SIGTERM received\nheadroom agent: shutting down');
    expect(agent.log()).toContain('headroom agent: stopped\n');
  });

  it('should refuse to start with an invalid configuration, exit 1 and list every problem', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'receiver: { port: -1 }\n');
    const agent = startAgent(file);
    expect(await agent.exited).toBe(1);
    expect(agent.log()).toContain('headroom agent: HEADROOM_ERR_CONFIG_INVALID');
    expect(agent.log()).toContain('receiver.port');
  });
});

describe('headroom agent on a taken port', () => {
  it('should exit 1 with HEADROOM_ERR_COLLECTOR_LISTEN naming the address', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const file = join(dir, 'taken.yaml');
    writeFileSync(
      file,
      `receiver: { port: ${port} }\napi: { enabled: false }\nexporters: { prometheus: { enabled: false } }\n`,
    );
    const agent = startAgent(file);
    expect(await agent.exited).toBe(1);
    blocker.close();
    expect(agent.log()).toContain(
      `headroom agent: HEADROOM_ERR_COLLECTOR_LISTEN: cannot listen on 127.0.0.1:${port} for the OTLP receiver (EADDRINUSE)`,
    );
  });
});
