// README "With the OpenTelemetry Node SDK": the files it shows (headroom.yaml, instrumentation.mjs,
// app.mjs and the CommonJS pair), written as shown into a project outside the repository, whose
// node_modules holds the packages its `npm install` line names (headroom-otel is this repository,
// built), run with the README's own command lines on Node 24. The Express service has no
// Headroom code: YAML rules on http.route judge it. Needs dist/ (`npm test` builds first).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMISSION_SPAN, DECISION_SPAN } from '../../agent/semconv.ts';
import { childEnv, stopProcess } from '../helpers/child-process.ts';
import { OtlpSink } from '../helpers/otlp-sink.ts';
import { codeBlocks, namedFiles, section } from '../helpers/readme-files.ts';
import { waitUntil } from './helpers/processes.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
/** The packages the README's `npm install` line names besides headroom-otel, as resolved here. */
const PACKAGES: Readonly<Record<string, string>> = {
  express: require.resolve('express'),
  '@opentelemetry/sdk-node': require.resolve('@opentelemetry/sdk-node'),
  '@opentelemetry/sdk-trace': require.resolve('@opentelemetry/sdk-trace'),
  '@opentelemetry/core': require.resolve('@opentelemetry/core'),
  '@opentelemetry/exporter-trace-otlp-http': require.resolve('@opentelemetry/exporter-trace-otlp-http'),
  '@opentelemetry/instrumentation': require.resolve('@opentelemetry/instrumentation'),
  '@opentelemetry/instrumentation-http': require.resolve('@opentelemetry/instrumentation-http'),
  '@opentelemetry/instrumentation-express': require.resolve('@opentelemetry/instrumentation-express'),
};
const README = section(
  readFileSync(join(ROOT, 'README.md'), 'utf8'),
  'With the OpenTelemetry Node SDK (NodeSDK) and auto-instrumentation',
);
const commands = codeBlocks(README)
  .filter((block) => block.language === 'sh')
  .map((block) => block.text.trim());
/** The service's requests: [method, path, sampled by the caller (traceparent flag)]. */
const REQUESTS: readonly (readonly [string, string, boolean])[] = [
  ['POST', '/checkout', true],
  ['POST', '/checkout', true],
  ['POST', '/checkout', true],
  ['GET', '/products/7', true],
  ['GET', '/products/8', false],
  ...Array.from({ length: 20 }, () => ['GET', '/search', false] as const),
];
const traceId = (i: number) => (i + 1).toString(16).padStart(32, '0');
const traceparent = (id: string, sampled: boolean) => `00-${id}-00000000000000a1-${sampled ? '01' : '00'}`;

let project = '';

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'headroom-node-sdk-'));
  for (const [file, text] of namedFiles(README)) writeFileSync(join(project, file), text);
  // The one change to the README's setup: Headroom's Prometheus endpoint on a free port.
  writeFileSync(join(project, 'ports.yaml'), 'exporters: { prometheus: { port: 0 } }\n');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'shop', private: true }));
  for (const name of installed()) {
    const target = join(project, 'node_modules', name);
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(name === 'headroom-otel' ? ROOT : packageRoot(name), target, 'dir');
  }
});

/** The packages the README's `npm install` line names. */
function installed(): string[] {
  return (
    commands
      .find((command) => command.startsWith('npm install '))
      ?.split(/\s+/)
      .slice(2) ?? []
  );
}

/** The folder of package `name` as this repository resolves it. */
function packageRoot(name: string): string {
  const entry = PACKAGES[name];
  if (entry === undefined) throw new Error(`the README installs ${name}, which the test does not know`);
  const at = `${sep}node_modules${sep}${name.replaceAll('/', sep)}${sep}`;
  return entry.slice(0, entry.lastIndexOf(at) + at.length - 1);
}

const versionOf = (name: string) =>
  (JSON.parse(readFileSync(join(packageRoot(name), 'package.json'), 'utf8')) as { version: string }).version;

describe('the README recipe', () => {
  it('should install exactly the packages the test links, and name the versions the test runs', () => {
    expect(installed()).toEqual(['headroom-otel', ...Object.keys(PACKAGES)]);
    for (const name of [
      'express',
      '@opentelemetry/instrumentation-http',
      '@opentelemetry/instrumentation-express',
    ]) {
      expect(README).toContain(`${name.startsWith('@') ? `\`${name}\`` : name} ${versionOf(name)}`);
    }
  });
});

afterAll(() => {
  if (project !== '') rmSync(project, { recursive: true, force: true });
});

/** A README command line `A=1 B=2 node ARGS...`, run in the project with `env` added. */
function startService(command: string, env: Record<string, string>) {
  const words = command.split(/\s+/);
  const node = words.indexOf('node');
  const assigned = Object.fromEntries(
    words.slice(0, node).map((word) => word.split('=') as [string, string]),
  );
  const child = spawn(process.execPath, words.slice(node + 1), {
    cwd: project,
    env: childEnv({ ...assigned, ...env, HEADROOM_CONFIG: `${assigned.HEADROOM_CONFIG},ports.yaml` }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk));
  return { child, stdout: () => stdout, stderr: () => stderr };
}

async function urlsOf(service: ReturnType<typeof startService>) {
  const app = /^shop: listening on (\S+)$/m;
  const metrics = /^headroom: metrics at (\S+)$/m;
  const state = () => `stdout: ${service.stdout()} stderr: ${service.stderr()}`;
  await waitUntil(() => app.test(service.stdout()) && metrics.test(service.stdout()), 30_000, state);
  return { app: app.exec(service.stdout())?.[1], metrics: metrics.exec(service.stdout())?.[1] };
}

/** The `name{labels} value` lines of one metric, sorted; scraped unsampled (not exported). */
async function scrape(url: string, name: string): Promise<string[]> {
  const headers = { traceparent: traceparent('f'.repeat(32), false) };
  const text = await (await fetch(url, { headers })).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`))
    .sort();
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe.each([
  ['ESM (--import, loader hook)', 'instrumentation.mjs'],
  ['CommonJS (--require, require(esm))', 'instrumentation.cjs'],
])('an Express service set up with NodeSDK as the README says: %s', (_, file) => {
  it('should count each route under its YAML context, judge the slow one violated, and export only what the sampler sampled', async () => {
    const command = commands.find((line) => line.includes(`./${file}`)) ?? '';
    const sink = await OtlpSink.start();
    const service = startService(command, { PORT: '0', OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint });
    const exit = exited(service.child);
    try {
      const { app, metrics } = await urlsOf(service);
      for (const [i, [method, path, sampled]] of REQUESTS.entries()) {
        const headers = { traceparent: traceparent(traceId(i), sampled) };
        expect((await fetch(`${app}${path}`, { method, headers })).status).toBe(200);
      }
      const series = (op: string, context: string) =>
        `{service="shop",operation="${op}",context="${context}"}`;
      const violated = `headroom_budget_violated_evaluations_total${series('GET /search', 'routine')}`;
      // Evaluation runs every second in the service: poll its endpoint until /search is judged.
      await waitUntil(
        async () =>
          (await scrape(metrics ?? '', 'headroom_budget_violated_evaluations_total')).some(
            (line) => line.startsWith(violated) && !line.endsWith(' 0'),
          ),
        30_000,
        service.stderr,
      );
      expect(await scrape(metrics ?? '', 'headroom_operations_total')).toEqual([
        `headroom_operations_total${series('GET /products/:id', 'routine')} 2`,
        `headroom_operations_total${series('GET /search', 'routine')} 20`,
        `headroom_operations_total${series('POST /checkout', 'emergency')} 3`,
      ]);
      expect(
        (await scrape(metrics ?? '', 'headroom_budget_violated_evaluations_total')).map((line) =>
          line.replace(/ [1-9]\d*$/, ' >0'),
        ),
      ).toEqual([
        `headroom_budget_violated_evaluations_total${series('GET /products/:id', 'routine')} 0`,
        `${violated} >0`,
        `headroom_budget_violated_evaluations_total${series('POST /checkout', 'emergency')} 0`,
      ]);
    } finally {
      await stopProcess(service.child);
    }
    expect({ code: await exit, stderr: service.stderr() }).toEqual({ code: 0, stderr: '' });
    await sink.stop();
    const sampled = REQUESTS.flatMap(([, , isSampled], i) => (isSampled ? [traceId(i)] : []));
    // Headroom's own decision spans are traces of their own: 20 slow /search requests are enough
    // samples for admission to shed SHEDDABLE at its next tick (README "What you see").
    const requestSpans = sink.spans.filter(
      (span) => span.name !== ADMISSION_SPAN && span.name !== DECISION_SPAN,
    );
    expect([...new Set(requestSpans.map((span) => span.traceId))].sort()).toEqual(sampled);
    expect(
      sink.spans
        .filter((span) => span.scope === '@opentelemetry/instrumentation-http')
        .map((span) => [span.name, span.attributes['http.route'], span.resource['service.name']])
        .sort(),
    ).toEqual([
      ['GET /products/:id', '/products/:id', 'shop'],
      ['POST /checkout', '/checkout', 'shop'],
      ['POST /checkout', '/checkout', 'shop'],
      ['POST /checkout', '/checkout', 'shop'],
    ]);
  }, 90_000);
});
