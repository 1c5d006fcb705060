// README's "Metrics in your service's own /metrics" followed literally: its headroom.yaml and its
// two services (prom-client; MeterProvider + PrometheusExporter) run by Node in a project outside
// the repository that reaches headroom-otel, prom-client and the OpenTelemetry packages through
// node_modules, as a user's does; then one scrape each, checked line by line and by promtool.
// Needs the built dist/ (`npm test` builds before it runs the tests).
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, stopProcess } from '../helpers/child-process.ts';
import { type FencedBlock, sectionBlocks } from '../helpers/markdown-section.ts';
import { spawnServer, waitUntil } from './helpers/processes.ts';
import { checkMetrics } from './helpers/prometheus.ts';

const root = join(import.meta.dirname, '..', '..');
const blocks = sectionBlocks(join(root, 'README.md'), "## Metrics in your service's own /metrics");
const ofLanguage = (language: string) => blocks.filter((b: FencedBlock) => b.language === language);
const [config] = ofLanguage('yaml').map((b) => b.text);
const [promClientService, meterProviderService] = ofLanguage('js').map((b) => b.text);
const series = 'service="shop",operation="checkout",context="emergency"';

/** What promtool says of prom-client 15.1.3's default metrics, with or without Headroom. */
const PROM_CLIENT_LINT = [
  'nodejs_active_handles_total non-counter metrics should not have "_total" suffix',
  'nodejs_active_requests_total non-counter metrics should not have "_total" suffix',
  'nodejs_active_resources_total non-counter metrics should not have "_total" suffix',
  '',
].join('\n');

/** A service with both pipelines, three operations and a series cap of 1 (not in the README). */
const CAPPED_CONFIG = `service:
  name: shop
exporters:
  prometheus:
    enabled: false
    maxSeries: 1
`;
const CAPPED_SERVICE = `import { createServer } from 'node:http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { start } from 'headroom-otel';
import { registerHeadroomMetrics } from 'headroom-otel/prom-client';
import { Registry } from 'prom-client';

const headroom = start({ configFiles: ['capped.yaml'] });
const registry = new Registry();
registerHeadroomMetrics(headroom, { register: registry });
const exporter = new PrometheusExporter({ preventServerStart: true, metricProducers: [headroom.metricProducer()] });
const meterProvider = new MeterProvider({ readers: [exporter] });
for (const operation of ['a', 'b', 'c']) await headroom.track(operation, 'emergency', async () => {});
const server = createServer(async (req, res) => {
  if (req.url === '/prom-client') {
    res.setHeader('content-type', registry.contentType);
    res.end(await registry.metrics());
  } else exporter.getMetricsRequestHandler(req, res);
});
server.listen(0, '127.0.0.1', () => console.log(\`metrics on http://127.0.0.1:\${server.address().port}/metrics\`));
process.once('SIGTERM', () => server.close(() => Promise.all([meterProvider.shutdown(), headroom.shutdown()])));
`;

let project = '';

function link(name: string, target: string): void {
  const path = join(project, 'node_modules', name);
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path, 'dir');
}

/** A running service of the project: its /metrics URL and how to stop it. */
interface Service {
  readonly child: ChildProcess;
  readonly base: string;
  readonly log: () => string;
}

/** Runs `program` (written as `file`) with PORT=0 until it prints where its metrics are. */
async function runService(file: string, program: string): Promise<Service> {
  writeFileSync(join(project, file), program);
  const { child, log } = spawnServer(process.execPath, [join(project, file)], {
    cwd: project,
    env: childEnv({ PORT: '0' }),
  });
  let base = '';
  await waitUntil(
    () => {
      base = /metrics on (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(log())?.[1] ?? '';
      return base !== '';
    },
    30_000,
    log,
  );
  return { child, base, log };
}

async function checkouts(service: Service, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${service.base}/checkout`, { method: 'POST' });
    expect(await response.text()).toBe('ok\n');
  }
}

async function scrape(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url);
  return { status: response.status, text: await response.text() };
}

/** The sample lines of `text` whose metric name is `name` (the name before `{` or the space). */
function samples(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.split(/[{ ]/)[0] === name);
}

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'headroom-host-metrics-'));
  link('headroom-otel', root);
  for (const name of ['prom-client', '@opentelemetry/sdk-metrics', '@opentelemetry/exporter-prometheus']) {
    link(name, join(root, 'node_modules', name));
  }
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'shop', type: 'module', private: true }),
  );
  writeFileSync(join(project, 'headroom.yaml'), config as string);
});

afterAll(() => {
  if (project !== '') rmSync(project, { recursive: true, force: true });
});

describe("README: Headroom's metrics in the service's own /metrics", () => {
  it('should find the configuration and the two services (a guard against a renamed section)', () => {
    expect(config).toContain('enabled: false');
    expect(promClientService).toContain("from 'headroom-otel/prom-client'");
    expect(meterProviderService).toContain('headroom.metricProducer()');
  });

  it("should serve the service's prom-client metrics and Headroom's on one /metrics, promtool-clean", async () => {
    const service = await runService('service.mjs', promClientService as string);
    try {
      await checkouts(service, 3);
      const { status, text } = await scrape(`${service.base}/metrics`);
      expect(status).toBe(200);
      expect(samples(text, 'orders_total')).toEqual(['orders_total 3']);
      expect(samples(text, 'process_cpu_user_seconds_total')).toHaveLength(1);
      expect(samples(text, 'headroom_operations_total')).toEqual([`headroom_operations_total{${series}} 3`]);
      expect(samples(text, 'headroom_operation_duration_seconds_count')).toEqual([
        `headroom_operation_duration_seconds_count{${series}} 3`,
      ]);
      expect(samples(text, 'headroom_degradation_level')).toEqual([
        'headroom_degradation_level{service="shop"} 0',
      ]);
      expect(checkMetrics(text).output).toBe(PROM_CLIENT_LINT);
    } finally {
      await stopProcess(service.child);
    }
    expect(service.child.exitCode).toBe(0);
  });

  it("should serve the service's OpenTelemetry metrics and Headroom's on one /metrics, promtool-clean", async () => {
    const service = await runService('service-otel.mjs', meterProviderService as string);
    try {
      await checkouts(service, 3);
      const { status, text } = await scrape(`${service.base}/metrics`);
      expect(status).toBe(200);
      expect(samples(text, 'orders_total')).toEqual(['orders_total{otel_scope_name="shop"} 3']);
      const scope = 'otel_scope_name="headroom-otel"';
      expect(samples(text, 'headroom_operations_total')).toEqual([
        `headroom_operations_total{${series},${scope}} 3`,
      ]);
      expect(samples(text, 'headroom_operation_duration_seconds_count')).toEqual([
        `headroom_operation_duration_seconds_count{${series},${scope}} 3`,
      ]);
      expect(checkMetrics(text)).toEqual({ status: 0, output: '' });
    } finally {
      await stopProcess(service.child);
    }
    expect(service.child.exitCode).toBe(0);
  });

  it('should fold the label sets over a tiny series cap and count them, both scrapes still 200', async () => {
    writeFileSync(join(project, 'capped.yaml'), CAPPED_CONFIG);
    const service = await runService('capped.mjs', CAPPED_SERVICE);
    try {
      const promClient = await scrape(`${service.base}/prom-client`);
      expect(promClient.status).toBe(200);
      expect(samples(promClient.text, 'headroom_operations_total')).toEqual([
        'headroom_operations_total{service="shop",operation="a",context="emergency"} 1',
        'headroom_operations_total{service="shop",operation="__overflow__",context="emergency"} 2',
      ]);
      // b and c folded in each of the 8 per-series metrics at this scrape (none were tracked at
      // registration): 2 x 8.
      expect(samples(promClient.text, 'headroom_exporter_series_overflowed_total')).toEqual([
        'headroom_exporter_series_overflowed_total 16',
      ]);
      expect(checkMetrics(promClient.text)).toEqual({ status: 0, output: '' });
      const otel = await scrape(`${service.base}/metrics`);
      expect(otel.status).toBe(200);
      const scope = 'otel_scope_name="headroom-otel"';
      expect(samples(otel.text, 'headroom_operations_total')).toEqual([
        `headroom_operations_total{service="shop",operation="a",context="emergency",${scope}} 1`,
        `headroom_operations_total{service="shop",operation="__overflow__",context="emergency",${scope}} 2`,
      ]);
      // The same producer: one more collection, 16 more.
      expect(samples(otel.text, 'headroom_exporter_series_overflowed_total')).toEqual([
        `headroom_exporter_series_overflowed_total{${scope}} 32`,
      ]);
      expect(checkMetrics(otel.text)).toEqual({ status: 0, output: '' });
    } finally {
      await stopProcess(service.child);
    }
    expect(service.child.exitCode).toBe(0);
  });
});
