/**
 * A real Prometheus for integration tests: found on PATH or installed from Debian's package when
 * running as root (as .ci/run does), started on a free port with a temporary TSDB, queried
 * through the HTTP API, and always stopped.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopProcess } from '../../helpers/child-process.ts';
import { freePort } from '../../helpers/free-port.ts';
import { awaitReady, ensureDebianPackage, onPath, spawnServer, waitUntil } from './processes.ts';

const INSTALL_HINT =
  'prometheus and promtool are needed (Debian package "prometheus"): run `apt-get install prometheus` as root, or .ci/run';

/** Paths of `prometheus` and `promtool`, installing the Debian package when missing and root. */
export function ensurePrometheus(): { prometheus: string; promtool: string } {
  return ensureDebianPackage(
    'prometheus',
    () => {
      const prometheus = onPath('prometheus');
      const promtool = onPath('promtool');
      return prometheus === undefined || promtool === undefined ? undefined : { prometheus, promtool };
    },
    INSTALL_HINT,
  );
}

/** `promtool check metrics` on `exposition` (stdin): its exit status and everything it printed. */
export function checkMetrics(exposition: string): { status: number | null; output: string } {
  const { promtool } = ensurePrometheus();
  const result = spawnSync(promtool, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** One element of an instant query's vector result. */
export interface VectorSample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

/** A running Prometheus. */
export interface PrometheusServer {
  readonly url: string;
  /** Runs an instant query; throws with Prometheus' error message on a bad query. */
  query(expression: string): Promise<VectorSample[]>;
  /** Polls `query(expression)` until `done(result)` holds; throws after `timeoutMs`. */
  waitFor(
    expression: string,
    done: (result: VectorSample[]) => boolean,
    timeoutMs?: number,
  ): Promise<VectorSample[]>;
  /** Stops the process (SIGTERM, SIGKILL after 5 s) and removes its data. Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startPrometheus}. */
export interface StartPrometheusOptions {
  /** `host:port` of the target to scrape. */
  readonly target: string;
  readonly metricsPath: string;
  /** @default 1 */
  readonly scrapeIntervalSeconds?: number;
}

/** Starts Prometheus scraping one target and resolves once it is ready. */
export async function startPrometheus(options: StartPrometheusOptions): Promise<PrometheusServer> {
  const { prometheus } = ensurePrometheus();
  const dir = await mkdtemp(join(tmpdir(), 'headroom-prometheus-'));
  const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
  const config = [
    'global:',
    `  scrape_interval: ${interval}`,
    `  evaluation_interval: ${interval}`,
    'scrape_configs:',
    '  - job_name: headroom',
    `    metrics_path: ${options.metricsPath}`,
    '    static_configs:',
    `      - targets: ['${options.target}']`,
  ].join('\n');
  await writeFile(join(dir, 'prometheus.yml'), `${config}\n`);
  const port = await freePort();
  const { child, log } = spawnServer(prometheus, [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ]);
  const server = prometheusServer(`http://127.0.0.1:${port}`, child, dir);
  await awaitReady(server, log);
  return server;
}

function prometheusServer(url: string, child: ChildProcess, dir: string): PrometheusServer {
  let stopping: Promise<void> | undefined;
  const query = async (expression: string): Promise<VectorSample[]> => {
    const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expression })}`);
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    if (body.status !== 'success') throw new Error(`query ${expression} failed: ${body.error}`);
    return (body.data?.result ?? []).map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  };
  return {
    url,
    query,
    async waitFor(expression, done, timeoutMs = 20_000) {
      let last: VectorSample[] = [];
      await waitUntil(
        async () => {
          last = await query(expression);
          return done(last);
        },
        timeoutMs,
        () => `${expression} -> ${JSON.stringify(last)}`,
      );
      return last;
    },
    stop() {
      stopping ??= stopProcess(child).then(() => rm(dir, { recursive: true, force: true }));
      return stopping;
    },
  };
}
