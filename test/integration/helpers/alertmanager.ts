/**
 * A real Prometheus Alertmanager for integration tests: found on PATH or installed from Debian's
 * `prometheus-alertmanager` package when running as root, started on a free loopback port with
 * clustering off and a temporary storage path, read through its v2 API and /metrics, and always
 * stopped. Reusable: `const am = await startAlertmanager(); ... await am.stop();`.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopProcess } from '../../helpers/child-process.ts';
import { freePort } from '../../helpers/free-port.ts';
import { awaitReady, ensureDebianPackage, onPath, spawnServer } from './processes.ts';

const INSTALL_HINT =
  'Alertmanager is needed (Debian package "prometheus-alertmanager"): run `apt-get install prometheus-alertmanager` as root, or .ci/run';
/** The receiver every alert routes to. */
export const ALERTMANAGER_RECEIVER = 'headroom-test';

/** An alert as `GET /api/v2/alerts` returns it. */
export interface GettableAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly updatedAt: string;
  readonly generatorURL?: string;
  readonly fingerprint: string;
  readonly receivers: { name: string }[];
  readonly status: {
    state: 'active' | 'suppressed' | 'unprocessed';
    silencedBy: string[];
    inhibitedBy: string[];
  };
}

/** A running Alertmanager. */
export interface AlertmanagerServer {
  /** Base URL, as `alerting.channels[].url` takes it. */
  readonly url: string;
  /** `GET /api/v2/alerts` with every state filter on (active, silenced, inhibited, unprocessed). */
  alerts(): Promise<GettableAlert[]>;
  /** The value of one sample of Alertmanager's own /metrics, e.g. `alertmanager_alerts{state="active"}`. */
  metric(sample: string): Promise<number | undefined>;
  /** Everything the process printed so far. */
  log(): string;
  /** Stops the process (SIGTERM, SIGKILL after 5 s) and removes its storage. Idempotent. */
  stop(): Promise<void>;
}

export interface StartAlertmanagerOptions {
  /** Receives Alertmanager's notifications (webhook_configs, send_resolved); none when omitted. */
  readonly webhookUrl?: string;
  /** `route.group_wait`. @default '100ms' */
  readonly groupWait?: string;
  /** `route.group_interval`: how soon a changed group (e.g. a resolution) is notified. @default '1s' */
  readonly groupInterval?: string;
}

/** Path of the Alertmanager binary, installing the Debian package when it is missing and root. */
function ensureAlertmanager(): string {
  return ensureDebianPackage(
    'prometheus-alertmanager',
    () => onPath('prometheus-alertmanager') ?? onPath('alertmanager'),
    INSTALL_HINT,
  );
}

/** Starts Alertmanager routing every alert to one receiver and resolves once it is ready. */
export async function startAlertmanager(options: StartAlertmanagerOptions = {}): Promise<AlertmanagerServer> {
  const binary = ensureAlertmanager();
  const dir = await mkdtemp(join(tmpdir(), 'headroom-alertmanager-'));
  await writeFile(join(dir, 'alertmanager.yml'), configYaml(options));
  const port = await freePort();
  const { child, log } = spawnServer(binary, [
    `--config.file=${join(dir, 'alertmanager.yml')}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    '--log.level=warn',
  ]);
  const server = alertmanagerServer(`http://127.0.0.1:${port}`, child, dir, log);
  await awaitReady(server, log);
  return server;
}

export { waitUntil } from './processes.ts';

function configYaml(options: StartAlertmanagerOptions): string {
  const webhook =
    options.webhookUrl === undefined
      ? []
      : ['    webhook_configs:', `      - url: '${options.webhookUrl}'`, '        send_resolved: true'];
  return [
    'route:',
    `  receiver: ${ALERTMANAGER_RECEIVER}`,
    "  group_by: ['alertname']",
    `  group_wait: ${options.groupWait ?? '100ms'}`,
    `  group_interval: ${options.groupInterval ?? '1s'}`,
    '  repeat_interval: 1h',
    'receivers:',
    `  - name: ${ALERTMANAGER_RECEIVER}`,
    ...webhook,
    '',
  ].join('\n');
}

function alertmanagerServer(
  url: string,
  child: ChildProcess,
  dir: string,
  log: () => string,
): AlertmanagerServer {
  let stopping: Promise<void> | undefined;
  return {
    url,
    log,
    async alerts() {
      const filters = 'active=true&silenced=true&inhibited=true&unprocessed=true';
      const response = await fetch(`${url}/api/v2/alerts?${filters}`);
      if (!response.ok) throw new Error(`GET /api/v2/alerts: HTTP ${response.status}`);
      return (await response.json()) as GettableAlert[];
    },
    async metric(sample) {
      const text = await (await fetch(`${url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
      return line === undefined ? undefined : Number(line.slice(sample.length + 1));
    },
    stop() {
      stopping ??= stopProcess(child).then(() => rm(dir, { recursive: true, force: true }));
      return stopping;
    },
  };
}
