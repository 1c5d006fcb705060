/**
 * Reload of `headroom agent` as an operator meets it (issue 9, fault 9): `--watch` across atomic
 * saves, an empty or whitespace-only file refused at reload (but valid at start), and token changes
 * taking effect without a restart.
 */
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { apiUrl, killCollectors, startCollectorProcess, waitForCount } from '../helpers/collector-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'headroom-reload-'));
afterEach(killCollectors);

const started = (msg: string) => msg.startsWith('decision API on ');

const PORTS =
  'receiver: { port: 0, grpc: { port: 0 } }\napi: { port: 0 }\nexporters: { prometheus: { port: 0 } }\n';
const READER = 'reader-token-0123456789';
const OTHER = 'other-token-0123456789';
const tokens = (...entries: [string, string][]) =>
  `api:\n  port: 0\n  tokens:\n${entries.map(([name, token]) => `    - { name: ${name}, token: ${token}, scopes: [read] }\n`).join('')}`;

describe('headroom agent --watch', () => {
  it('should reload on every atomic save, not only the first', async () => {
    const file = join(dir, 'watched.yaml');
    writeFileSync(file, PORTS);
    const agent = startCollectorProcess([file], {}, { args: ['--watch'] });
    // Saves before the watch is set up are not changes: wait for it, not for the listeners.
    await agent.waitFor((r) => r.msg === `watching ${file} for changes`, 'watching');
    for (const save of [1, 2, 3]) {
      const temporary = join(dir, `.watched.yaml.${save}.tmp`);
      writeFileSync(temporary, `${PORTS}window: { length: ${30 + save}s }\n`);
      renameSync(temporary, file);
      await waitForCount(agent, `configuration reloaded from ${file}`, save);
    }
    agent.child.kill('SIGTERM');
    expect((await agent.exited).code).toBe(0);
  });
});

describe('headroom agent reload of an empty file', () => {
  it('should start with an empty file as all defaults, refuse it at reload, and take {} as the way to ask for defaults', async () => {
    const ports = join(dir, 'ports.yaml');
    const budgets = join(dir, 'budgets.yaml');
    writeFileSync(ports, PORTS);
    writeFileSync(budgets, '');
    const agent = startCollectorProcess([ports, budgets]);
    await agent.waitFor((r) => started(r.msg), 'started');
    const refused = `reload refused, keeping the running configuration: HEADROOM_ERR_CONFIG_EMPTY: ${budgets} is empty, likely a partial write; to reset to the defaults on purpose, write {}`;
    for (const [count, text] of [
      [1, ''],
      [2, '  \n\t\n'],
    ] as const) {
      writeFileSync(budgets, text);
      agent.child.kill('SIGHUP');
      await waitForCount(agent, refused, count);
    }
    expect(agent.records().find((record) => record.msg === refused)).toMatchObject({
      level: 'warn',
      code: 'HEADROOM_ERR_CONFIG_EMPTY',
    });
    writeFileSync(budgets, '{}\n');
    agent.child.kill('SIGHUP');
    await waitForCount(agent, `configuration reloaded from ${ports}, ${budgets}`, 1);
    // The two refused reloads changed nothing: this is the only reload.
    expect(agent.records().filter((record) => record.msg.startsWith('configuration reloaded'))).toHaveLength(
      1,
    );
    agent.child.kill('SIGTERM');
    expect((await agent.exited).code).toBe(0);
  });
});

describe('headroom agent reload of tokens', () => {
  it('should stop a removed token and start a new one without a restart', async () => {
    const file = join(dir, 'tokens.yaml');
    writeFileSync(
      file,
      `receiver: { port: 0, grpc: { port: 0 } }\nexporters: { prometheus: { port: 0 } }\n${tokens(['reader', READER])}`,
    );
    const agent = startCollectorProcess([file]);
    const services = `${await apiUrl(agent)}/api/v1/services`;
    const statusWith = async (token: string) =>
      (await fetch(services, { headers: { authorization: `Bearer ${token}` } })).status;
    expect([await statusWith(READER), await statusWith(OTHER)]).toEqual([200, 401]);

    writeFileSync(
      file,
      `receiver: { port: 0, grpc: { port: 0 } }\nexporters: { prometheus: { port: 0 } }\n${tokens(['other', OTHER])}`,
    );
    agent.child.kill('SIGHUP');
    await waitForCount(agent, `configuration reloaded from ${file}`, 1);
    expect([await statusWith(READER), await statusWith(OTHER)]).toEqual([401, 200]);
    agent.child.kill('SIGTERM');
    expect((await agent.exited).code).toBe(0);
  });
});
