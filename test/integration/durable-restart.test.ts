/**
 * Issue 12, "What must show": `headroom agent` in a child process under a steady OTLP load, one
 * service driven to CRITICAL by slow spans with an operator's override set, its 30-day latency SLO
 * burning and the burn-rate alert firing at a real Alertmanager and a webhook; `kill -9`; a
 * restart on the same store while the load goes on (it sends again what the restart refuses).
 *
 * Compared: the level, override, audit log and decision sequence in the decision API after the
 * restart against the same API just before the kill. The kill lands between two requests, after
 * the checkpoint that holds them (killAfterCheckpoint), so nothing the store should hold is still
 * in flight and the comparison is exact.
 * Not compared yet (not checkpointed yet): the SLO budget after the restart, the alert the restarted
 * agent sends, the forwarded spans.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Receiver } from '../exporters/alerts/receiver.ts';
import {
  type CollectorProcess,
  killCollectors,
  startCollectorProcess,
} from '../helpers/collector-process.ts';
import { freePort } from '../helpers/free-port.ts';
import { type AlertmanagerServer, startAlertmanager, waitUntil } from './helpers/alertmanager.ts';
import {
  type AgentPorts,
  agentYaml,
  apiGet,
  BURN_ALERT,
  killAfterCheckpoint,
  putOverride,
  SERVICE_PATH,
  SLO,
  storedSeq,
} from './helpers/durable-agent.ts';
import { RecordingProxy } from './helpers/recording-proxy.ts';
import { SteadyLoad } from './helpers/steady-load.ts';

let alertmanager: AlertmanagerServer;
/** Between the agent and Alertmanager: what each agent sent. */
let alertmanagerProxy: RecordingProxy;
let webhook: Receiver;
let load: SteadyLoad | undefined;

beforeAll(async () => {
  webhook = await Receiver.start();
  alertmanager = await startAlertmanager();
  alertmanagerProxy = await RecordingProxy.start(alertmanager.url);
}, 60_000);

afterEach(async () => {
  await load?.stop();
  await killCollectors();
});

afterAll(async () => {
  await alertmanagerProxy?.stop();
  await alertmanager?.stop();
  await webhook?.stop();
});

type Detail = {
  level: string;
  overridden: boolean;
  evaluatedAt: number | null;
  lastDecision: { seq: number };
};
type History = { decisions: { seq: number }[] };
type PostedAlert = { labels: Record<string, string>; startsAt: string };

async function started(config: string, ports: AgentPorts): Promise<CollectorProcess> {
  const agent = startCollectorProcess([config]);
  await agent.waitFor((r) => r.msg.startsWith('decision API on '), 'decision API', 30_000);
  await waitUntil(
    async () => (await fetch(`http://127.0.0.1:${ports.metrics}/metrics`)).ok,
    10_000,
    agent.raw,
  );
  return agent;
}

/** The firing event ids the webhook received, in order of first arrival. */
function firingIds(): string[] {
  const ids = webhook.requests
    .filter((request) => (JSON.parse(request.body) as { status: string }).status === 'firing')
    .map((request) => String(request.headers['x-headroom-event-id']));
  return [...new Set(ids)];
}

/** The burn-rate alert as each agent posted it to Alertmanager from `sinceMs` on. */
function postedSince(sinceMs: number): PostedAlert[] {
  return alertmanagerProxy.requests
    .filter((request) => request.atMs >= sinceMs && request.path === '/api/v2/alerts')
    .flatMap((request) => JSON.parse(request.body) as PostedAlert[])
    .filter((alert) => alert.labels.alertname === BURN_ALERT);
}

const BURN_LABELS = {
  alertname: BURN_ALERT,
  severity: 'page',
  service: 'checkout',
  service_namespace: 'shop',
  slo: SLO,
  context: 'emergency',
};

describe('headroom agent killed with -9 under load and restarted on the same store', () => {
  it('should keep the level, override, audit log and decision sequence', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-durable-'));
    const ports = { receiver: await freePort(), api: await freePort(), metrics: await freePort() };
    const storePath = join(dir, 'data', 'state.db');
    const config = join(dir, 'headroom.yaml');
    const setup = {
      ports,
      storePath,
      alertmanagerUrl: alertmanagerProxy.url,
      webhookUrl: `${webhook.url}/alerts`,
    };
    writeFileSync(config, [...agentYaml(setup), ''].join('\n'));
    const first = await started(config, ports);
    // 40 spans/s; 30 % over the 50 ms budget: p95 is 4x the budget, the SLO burns at 30x.
    load = new SteadyLoad({
      url: `http://127.0.0.1:${ports.receiver}`,
      periodMs: 250,
      spansPerRequest: 10,
      slow: 3,
      slowMs: 200,
      fastMs: 5,
    });
    load.start();
    const detailNow = () => apiGet<Detail>(ports, SERVICE_PATH);
    await waitUntil(async () => (await detailNow()).level === 'CRITICAL', 15_000, first.raw);
    await putOverride(ports, { level: 'CRITICAL', reason: 'incident 42', until: '1h' });
    const alertAt = async () =>
      (await alertmanager.alerts()).find((alert) => alert.labels.alertname === BURN_ALERT);
    await waitUntil(
      async () => (await alertAt()) !== undefined && firingIds().length === 1,
      15_000,
      first.raw,
    );
    await waitUntil(() => load!.accepted.length >= 12, 15_000, first.raw); // 3 s of load at least
    const fired = await alertAt();
    expect(fired?.labels).toEqual(BURN_LABELS);
    const posted = postedSince(0);
    expect(posted.map((alert) => [alert.labels, Date.parse(alert.startsAt)])).toEqual(
      posted.map(() => [BURN_LABELS, Date.parse(fired?.startsAt ?? '')]),
    );

    const detail = await detailNow();
    const history = await apiGet<History>(ports, `${SERVICE_PATH}/decisions`);
    const lastSeq = detail.lastDecision.seq;
    await killAfterCheckpoint(first.child, storePath, load, (state) => storedSeq(state) === lastSeq);
    expect((await first.exited).code).toBeNull();
    const acceptedBeforeKill = load.accepted.length;
    load.slow = 1; // the service improves: 10 % slow from now on

    const second = await started(config, ports);
    await waitUntil(() => load!.accepted.length >= acceptedBeforeKill + 8, 15_000, second.raw);
    await load.stop();
    const lastAcceptedMs = load.accepted.at(-1)?.acceptedAtMs ?? 0;
    await waitUntil(async () => ((await detailNow()).evaluatedAt ?? 0) > lastAcceptedMs, 5000, second.raw);

    expect(load.refused.connection).toBeGreaterThan(0); // the restart refused some: they were re-sent
    const after = await detailNow();
    expect({ ...after, evaluatedAt: 0, series: [] }).toEqual({ ...detail, evaluatedAt: 0, series: [] });
    expect(await apiGet<History>(ports, `${SERVICE_PATH}/decisions`)).toEqual(history);

    expect((await putOverride(ports, { level: 'MODERATE', reason: 'after restart' })).seq).toBe(lastSeq + 1);
  });
});
