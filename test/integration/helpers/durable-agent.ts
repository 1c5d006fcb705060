/**
 * The durable-state scenario's parts: the agent's configuration (one service, a 30-day latency SLO
 * with a burn-rate alert to Alertmanager and a webhook, spans forwarded, a store), starting it, its
 * decision API as a test reads it, the store as `headroom state export` reads it, and the kill -9
 * that lands at a known point of the checkpoints.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportStoredState } from '../../../storage/index.ts';
import { type CollectorProcess, startCollectorProcess } from '../../helpers/collector-process.ts';
import { waitUntil } from './processes.ts';
import { LOAD_SERVICE, type SteadyLoad } from './steady-load.ts';

/** What `headroom state export` reads from a store. */
type StoredState = Awaited<ReturnType<typeof exportStoredState>>;

export const SLO = 'checkout-latency';
export const BURN_ALERT = 'CheckoutBudgetBurn';
/** The service in the decision API. */
export const SERVICE_PATH = `namespaces/${LOAD_SERVICE.namespace}/services/${LOAD_SERVICE.service}`;

/** Where the agent listens: fixed, so that a restart listens where the load sends. */
export interface AgentPorts {
  readonly receiver: number;
  readonly api: number;
  readonly metrics: number;
}

export interface DurableAgentSetup {
  readonly ports: AgentPorts;
  readonly storePath: string;
  readonly alertmanagerUrl: string;
  readonly webhookUrl: string;
  /** The OTLP backend spans are forwarded to. */
  readonly otlpEndpoint: string;
}

/**
 * The YAML both runs share: the emergency budget (50 ms at p95) judges `quote`, the SLO asks 99 %
 * of them within it over 30 days, evaluated every 100 ms. With `setup`, the agent of the test
 * itself: fixed ports (a restart listens where the load sends), both alert channels, spans
 * forwarded to an OTLP backend (retried every 100-200 ms while it is down), the store checkpointed
 * every 100 ms (the lowest interval allowed).
 */
export function agentYaml(setup?: DurableAgentSetup): string[] {
  const shared = [
    'evaluation: { interval: 100ms }',
    'degradation:',
    '  levels:',
    '    minimal: { disable: [recommendations] }',
    '    critical: { disable: [search] }',
    `slos: [{ name: ${SLO}, context: emergency, objective: 99% }]`,
  ];
  if (setup === undefined)
    return [
      'receiver: { port: 0, grpc: { port: 0 } }',
      'api: { enabled: false }',
      'exporters: { prometheus: { enabled: false } }',
      ...shared,
    ];
  const { ports, storePath, alertmanagerUrl, webhookUrl, otlpEndpoint } = setup;
  return [
    `receiver: { port: ${ports.receiver}, grpc: { port: 0 } }`,
    `api: { port: ${ports.api}, anonymous: [read, override] }`,
    'exporters:',
    `  prometheus: { port: ${ports.metrics} }`,
    `  otlp: { endpoint: '${otlpEndpoint}', retry: { initialInterval: 100ms, maxInterval: 200ms } }`,
    ...shared,
    'alerting:',
    '  channels:',
    `    - { name: am, type: alertmanager, url: '${alertmanagerUrl}', resendInterval: 1s }`,
    `    - { name: hook, type: webhook, url: '${webhookUrl}' }`,
    `  rules: [{ name: ${BURN_ALERT}, kind: burnRate, slo: ${SLO}, cooldown: 1m }]`,
    `storage: { path: '${storePath}', checkpointInterval: 100ms, lockTimeout: 5s }`,
  ];
}

/** Writes `setup`'s configuration into `dir`; returns the file. */
export function writeAgentConfig(dir: string, setup: DurableAgentSetup): string {
  const file = join(dir, 'headroom.yaml');
  writeFileSync(file, [...agentYaml(setup), ''].join('\n'));
  return file;
}

/** Starts `headroom agent --config FILE`; resolves once its API and /metrics answer. */
export async function startDurableAgent(config: string, ports: AgentPorts): Promise<CollectorProcess> {
  const agent = startCollectorProcess([config]);
  await agent.waitFor((r) => r.msg.startsWith('decision API on '), 'decision API', 30_000);
  const metrics = `http://127.0.0.1:${ports.metrics}/metrics`;
  await waitUntil(async () => (await fetch(metrics)).ok, 10_000, agent.raw);
  return agent;
}

/** `GET` of the decision API at `path` (after `/api/v1/`), parsed. */
export async function apiGet<T>(ports: AgentPorts, path: string): Promise<T> {
  const reply = await fetch(`http://127.0.0.1:${ports.api}/api/v1/${path}`);
  if (!reply.ok) throw new Error(`GET ${path}: HTTP ${reply.status}`);
  return (await reply.json()) as T;
}

/** `PUT .../override`; the decision it made. */
export async function putOverride(ports: AgentPorts, body: object): Promise<{ seq: number }> {
  const reply = await fetch(`http://127.0.0.1:${ports.api}/api/v1/${SERVICE_PATH}/override`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (reply.status !== 200) throw new Error(`PUT override: HTTP ${reply.status} ${await reply.text()}`);
  return ((await reply.json()) as { decision: { seq: number } }).decision;
}

/**
 * The SLO events a stored state holds for the service: the total of the history's latest sample,
 * the last one of the finest ring's newest chunk (`slo-samples` keyed `[slo, namespace, service]#0#chunk`); 0 when none.
 */
export function storedSloEvents(state: StoredState): number {
  const samples = state.records['slo-samples'] ?? {};
  const ring = (key: string) => key.slice(0, key.lastIndexOf('#'));
  const newest = Object.keys(samples)
    .filter((key) => {
      const [slo, , service] = JSON.parse(key.slice(0, key.indexOf(']') + 1)) as string[];
      return slo === SLO && service === LOAD_SERVICE.service && ring(key).endsWith('#0');
    })
    .sort((a, b) => Number(a.slice(a.lastIndexOf('#') + 1)) - Number(b.slice(b.lastIndexOf('#') + 1)))
    .at(-1);
  const totals = newest === undefined ? [] : (samples[newest] as { total: number[] }).total;
  return totals.at(-1) ?? 0;
}

/** The last decision's sequence number of the service in a stored state; 0 when none. */
export function storedSeq(state: StoredState): number {
  const stored = Object.values(state.records.degradation ?? {}) as { service: string; seq: number }[];
  return stored.find((one) => one.service === LOAD_SERVICE.service)?.seq ?? 0;
}

/**
 * SIGKILLs `child` at the first moment when no request of `load` is in flight and the store (read
 * as `headroom state export` does, beside the running writer) satisfies `covers`, given what the
 * load had accepted by then: the kill then falls between two requests, after the checkpoint that
 * holds them. A crash at any other moment also loses what the checkpoint interval had not written
 * yet (up to 100 ms of events here); this test measures what the store keeps, not that interval.
 * Resolves with the state the store held at the kill.
 */
export async function killAfterCheckpoint(
  child: ChildProcess,
  storePath: string,
  load: SteadyLoad,
  covers: (state: StoredState, accepted: number) => boolean,
): Promise<StoredState> {
  let state: StoredState | undefined;
  let tries = 0;
  await waitUntil(
    async () => {
      tries++;
      const read = await exportStoredState(storePath, 1000);
      // Synchronous from here: no request is answered between this check and the kill.
      if (load.inFlight || !covers(read, load.accepted.length)) return false;
      child.kill('SIGKILL');
      state = read;
      return true;
    },
    20_000,
    () => `no checkpoint covered the accepted requests in ${tries} reads`,
    5,
  );
  return state as StoredState;
}
