// Durable state end to end: `headroom agent` in a child process with a store, kill -9, restart on
// the same store: the degradation level, the override with its reason and expiry, the audit log and
// the decision sequence are as before; `headroom state export` reads the store meanwhile.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../app/cli/main.ts';
import {
  apiUrl,
  type CollectorProcess,
  killCollectors,
  receiverUrl,
  startCollectorProcess,
  waitForCount,
} from '../helpers/collector-process.ts';
import { otlpJsonTraces } from '../helpers/spans.ts';

afterEach(killCollectors);

const SERVICE = 'api/v1/namespaces/payments/services/checkout';

function configIn(dir: string): string {
  const file = join(dir, 'headroom.yaml');
  writeFileSync(
    file,
    [
      'receiver: { port: 0, grpc: { port: 0 } }',
      'exporters: { prometheus: { port: 0 } }',
      'api: { port: 0, anonymous: [read, override] }',
      `storage: { path: ${join(dir, 'data', 'state.db')}, checkpointInterval: 100ms, lockTimeout: 200ms }`,
      '',
    ].join('\n'),
  );
  return file;
}

async function send(agent: CollectorProcess): Promise<void> {
  const body = JSON.parse(otlpJsonTraces('checkout', 3, 5)) as {
    resourceSpans: { resource: { attributes: unknown[] } }[];
  };
  body.resourceSpans[0]?.resource.attributes.push({
    key: 'service.namespace',
    value: { stringValue: 'payments' },
  });
  const reply = await fetch(`${await receiverUrl(agent)}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(reply.status).toBe(200);
}

async function put(agent: CollectorProcess, body: object): Promise<{ decision: { seq: number } }> {
  const reply = await fetch(`${await apiUrl(agent)}/${SERVICE}/override`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(reply.status).toBe(200);
  return (await reply.json()) as { decision: { seq: number } };
}

type Exported = {
  records: { degradation?: Record<string, { level: string; seq: number; override?: unknown }> };
};

/** `headroom state export --config FILE`, parsed. */
async function exportState(config: string): Promise<Exported> {
  const out: string[] = [];
  const code = await main(['state', 'export', '--config', config], {
    stdout: (text) => out.push(text),
    stderr: (text) => out.push(text),
    env: {},
  });
  expect(code).toBe(0);
  return JSON.parse(out.join('')) as Exported;
}

/** The stored degradation states once a checkpoint stored decision `seq` (bounded polling: a real process). */
async function storedAt(config: string, seq: number): Promise<unknown[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const states = Object.values((await exportState(config)).records.degradation ?? {});
    if (states.some((state) => state.seq === seq)) return states.map((s) => [s.level, s.seq, s.override]);
    if (Date.now() > deadline) throw new Error(`decision ${seq} never stored: ${JSON.stringify(states)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function history(agent: CollectorProcess): Promise<unknown> {
  return (await fetch(`${await apiUrl(agent)}/${SERVICE}/history`)).json();
}

describe('headroom agent with storage.path', () => {
  it('should restore the level, override, audit log and decision sequence after kill -9', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-state-'));
    const config = configIn(dir);
    const first = startCollectorProcess([config]);
    await send(first);
    await put(first, { level: 'SEVERE', reason: 'load test' });
    await put(first, { level: 'CRITICAL', reason: 'incident 42', until: '1h' });
    const before = await history(first);
    const detail = await (await fetch(`${await apiUrl(first)}/${SERVICE}`)).json();
    const stored = [['CRITICAL', 2, { reason: 'incident 42 (by anonymous)', untilMs: expect.any(Number) }]];
    expect(await storedAt(config, 2)).toEqual(stored);
    first.child.kill('SIGKILL');
    expect((await first.exited).code).toBeNull();

    const second = startCollectorProcess([config]);
    await second.waitFor((r) => r.msg.startsWith('state restored from'), 'restored');
    expect(await storedAt(config, 2)).toEqual(stored); // read-only, beside the running writer
    expect(await history(second)).toEqual(before);
    expect(await (await fetch(`${await apiUrl(second)}/${SERVICE}`)).json()).toEqual(detail);
    expect((await put(second, { level: 'MODERATE', reason: 'after restart' })).decision.seq).toBe(3);

    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });

  it('should exit with HEADROOM_ERR_STORE_LOCKED while another agent holds the store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-state-'));
    const config = configIn(dir);
    const first = startCollectorProcess([config]);
    await apiUrl(first);
    const second = startCollectorProcess([config]);
    expect((await second.exited).code).toBe(1);
    expect(second.records().at(-1)).toMatchObject({ level: 'error', code: 'HEADROOM_ERR_STORE_LOCKED' });
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    await waitForCount(first, 'stopped (0 spans dropped)', 1);
  });
});
