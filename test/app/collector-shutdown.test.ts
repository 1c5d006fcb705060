// Fault class: shutting down collector mode with data queued for a backend that is dead, hung or
// fine, on SIGINT or SIGTERM, once or twice. Real child processes; exit codes and timing asserted.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CollectorProcess,
  killCollectors,
  receiverUrl,
  startCollectorProcess,
} from '../helpers/collector-process.ts';
import { OtlpSink, until } from '../helpers/otlp-sink.ts';

const dir = mkdtempSync(join(tmpdir(), 'headroom-shutdown-'));
const EXAMPLE = 'examples/headroom.yaml';
const NONE = { queue_full: 0, retries_exhausted: 0, non_retryable: 0, shutdown: 0 };
let sink: OtlpSink | undefined;
afterEach(async () => {
  await killCollectors();
  await sink?.stop();
  sink = undefined;
});

/**
 * A config (layered over the example, or alone): free ports, the OTLP endpoint, `extra` YAML lines.
 * State in memory only: what is not delivered by the bound is dropped and counted (with a store it
 * is kept for the next start instead: test/app/forwarding-queue-restart.test.ts).
 */
function override(name: string, endpoint: string | undefined, ...extra: string[]): string {
  const file = join(dir, `${name}.yaml`);
  const otlp = endpoint === undefined ? '' : `, otlp: { endpoint: "${endpoint}" }`;
  const lines = [
    'receiver: { port: 0, grpc: { port: 0 } }',
    'api: { port: 0 }',
    `exporters: { prometheus: { port: 0 }${otlp} }`,
    'storage: { enabled: false }',
  ];
  writeFileSync(file, [...lines, ...extra, ''].join('\n'));
  return file;
}

/** Posts one OTLP/JSON request of `count` spans; resolves with the reply's status. */
async function postSpans(url: string, count: number): Promise<number> {
  const endNs = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: count }, (_, i) => ({
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: (0x1000 + i).toString(16).padStart(16, '0'),
    name: 'quote',
    startTimeUnixNano: String(endNs - 10_000_000n),
    endTimeUnixNano: String(endNs),
  }));
  const body = JSON.stringify({
    resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 't' }, spans }] }],
  });
  const reply = await fetch(`${url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  await reply.arrayBuffer();
  return reply.status;
}

/** Sends `signal` and resolves with the exit code and the time from signal to exit, ms. */
async function stop(agent: CollectorProcess, signal: NodeJS.Signals) {
  const signalledMs = performance.now();
  agent.child.kill(signal);
  const { code, atMs } = await agent.exited;
  return { code, ms: atMs - signalledMs };
}

describe('headroom agent shutdown', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    'should exit 0 at the bound on %s with the example config (unreachable backend) and count the spans dropped',
    async (signal) => {
      const agent = startCollectorProcess([
        EXAMPLE,
        override(`dead-${signal}`, undefined, 'shutdown: { timeout: 2s }'),
      ]);
      expect(await postSpans(await receiverUrl(agent), 3)).toBe(200);
      const { code, ms } = await stop(agent, signal);
      expect(code).toBe(0);
      expect(ms).toBeGreaterThan(1500);
      expect(ms).toBeLessThan(2000 + 1500); // the bound, plus slack for a loaded CI box
      const records = agent.records(); // throws on a line that is not JSON (e.g. a Node warning)
      expect(records.at(-2)).toMatchObject({
        level: 'warn',
        msg: 'shutdown bound reached: undelivered data dropped',
      });
      expect(records.at(-1)).toMatchObject({
        level: 'info',
        msg: 'stopped (3 spans dropped)',
        spansDropped: 3,
        spansDroppedByReason: { ...NONE, shutdown: 3 },
        metricPointsDropped: 0,
        alertsDropped: 0,
        timedOut: true,
      });
    },
    20_000,
  );

  it('should exit 0 within the default 10 s bound when the backend accepts and never answers', async () => {
    sink = await OtlpSink.start();
    sink.script('hang', 'hang', 'hang');
    const agent = startCollectorProcess([override('hung', sink.endpoint)]);
    expect(await postSpans(await receiverUrl(agent), 4)).toBe(200);
    await until(() => sink?.requests.length === 1, 5000, 'the forwarded request');
    const { code, ms } = await stop(agent, 'SIGTERM');
    expect(code).toBe(0);
    expect(ms).toBeGreaterThan(9000);
    expect(ms).toBeLessThan(10_000 + 1500);
    expect(agent.records().at(-1)).toMatchObject({ msg: 'stopped (4 spans dropped)', timedOut: true });
  }, 30_000);

  it('should deliver what is queued and exit 0 at once when the backend is fine', async () => {
    sink = await OtlpSink.start();
    const agent = startCollectorProcess([override('fine', sink.endpoint)]);
    expect(await postSpans(await receiverUrl(agent), 5)).toBe(200);
    const { code, ms } = await stop(agent, 'SIGINT');
    expect([code, sink.spans.length]).toEqual([0, 5]);
    expect(ms).toBeLessThan(4000); // the 10 s bound not used
    expect(agent.records().at(-1)).toMatchObject({
      msg: 'stopped (0 spans dropped)',
      spansDroppedByReason: NONE,
      timedOut: false,
    });
  }, 20_000);

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    'should exit at once with %s again during shutdown (code %i)',
    async (signal, exitCode) => {
      const agent = startCollectorProcess([EXAMPLE, override(`twice-${signal}`, undefined)]);
      expect(await postSpans(await receiverUrl(agent), 2)).toBe(200);
      agent.child.kill(signal);
      await agent.waitFor((r) => r.msg.startsWith('shutting down'), 'shutting down');
      const { code, ms } = await stop(agent, signal);
      expect(code).toBe(exitCode);
      expect(ms).toBeLessThan(4000); // not the 10 s bound
      expect(agent.records().at(-1)).toMatchObject({
        level: 'warn',
        msg: `${signal} received again: exiting now`,
        exitCode,
      });
    },
    20_000,
  );
});
