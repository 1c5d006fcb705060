// The package as a user gets it: `npm pack`, unpacked into a project outside the repository whose
// node_modules holds only the package's own dependencies (linked), then used as README.md and
// docs/api.md say. Needs the built dist/ (`npm test` builds before it runs the tests).
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNode } from '../helpers/child-process.ts';

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  readonly dependencies: Record<string, string>;
  readonly peerDependencies: Record<string, string>;
};

/** A program using every documented symbol with its documented shape (docs/api.md). */
const TYPED_PROGRAM = `
import {
  start, loadConfig, parseConfig, jsonSchema, connectDecisions, DEGRADATION_LEVELS,
  HeadroomError, ConfigInvalidError, ConfigReadError, ConfigEmptyError, InvalidArgumentError, ClientOptionsError,
  type Headroom, type StartOptions, type Operation, type FeatureFlags, type BudgetModifiers,
  type DegradationLevel, type OverrideOptions, type DegradationDecision, type DegradationReason,
  type DecisionEvidence, type DecisionActions, type DecisionListener, type ReadonlyAuditLog,
  type Verdict, type VerdictStatus, type SeriesKey, type Percentile, type TickResult, type MetricsEndpoint,
  type ConnectDecisionsOptions, type BackoffOptions, type RemoteDecisions, type RemoteDecisionsState,
  type RemoteAdmissionState,
  type LoadConfigOptions, type ConfigSource, type Environment, type HeadroomConfigInput,
  type HeadroomConfig, type ResolvedConfig, type ConfigIssue,
  type HeadroomNames, type ContextName, type PhaseName, type FeatureName, type ModifierName,
} from 'headroom-otel';
import {
  registerHeadroomMetrics, MetricNameTakenError,
  type MetricProducerSource, type PromClientRegistry, type RegisterHeadroomMetricsOptions,
} from 'headroom-otel/prom-client';
import type { MetricProducer } from '@opentelemetry/sdk-metrics';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { Registry } from 'prom-client';
import type { Sampler, SpanProcessor } from '@opentelemetry/sdk-trace';

const input: HeadroomConfigInput = { contexts: { emergency: { budget: '50ms' } } };
const options: StartOptions = { configFiles: ['a.yaml'], config: input, sdk: 'own', spanProcessors: [], registerGlobal: true };
const headroom: Headroom = start(options);
const tracked: number = await headroom.track('checkout', 'emergency', async (op: Operation) =>
  op.phase('routing', () => op.budgetMs() + op.remainingMs() + (op.signal.aborted ? 1 : 0) + op.name.length + op.context.length));
const quote: (items: number[]) => number = headroom.wrap('price-quote', 'routine', (items: number[]) => items.length);
const features: FeatureFlags = headroom.features;
const flags: [boolean, readonly string[]] = [features.enabled('x'), features.disabled()];
const modifiers: BudgetModifiers = headroom.modifiers;
const modified: [boolean, boolean, boolean, readonly string[]] = [modifiers.set('a'), modifiers.clear('a'), modifiers.has('a'), modifiers.active()];
const level: DegradationLevel = headroom.level;
const until: OverrideOptions = { untilMs: Date.now() + 1000 };
headroom.override('SEVERE', 'reason', until);
headroom.clearOverride('reason');
const listener: DecisionListener = (decision: DegradationDecision) => {
  const reason: DegradationReason = decision.reason;
  const evidence: DecisionEvidence | undefined = decision.evidence;
  const actions: DecisionActions = decision.actions;
  const fields: [number, number, string, string, DegradationLevel, DegradationLevel, string, readonly string[]] = [
    decision.seq, decision.at, decision.namespace, decision.service, decision.from, decision.to, decision.message, decision.disabledFeatures];
  if (evidence !== undefined) {
    const series: SeriesKey = evidence.series;
    const numbers: number[] = [evidence.observedMs, evidence.budgetMs, evidence.ratio, evidence.samples];
    const percentile: Percentile = evidence.percentile;
    void [series.namespace, series.service, series.operation, series.context, series.phase, numbers, percentile];
  }
  void [reason, actions.disabled, actions.enabled, fields];
};
const unsubscribe: () => void = headroom.onDecision(listener);
const audit: ReadonlyAuditLog = headroom.auditLog;
const auditFields: [number, number, readonly DegradationDecision[], string] = [audit.capacity, audit.size, audit.entries(), audit.toCSV()];
audit.toJSON();
const verdicts: readonly Verdict[] = headroom.verdicts();
for (const verdict of verdicts) {
  const status: VerdictStatus = verdict.status;
  const percentile: Percentile = verdict.percentile;
  const series: SeriesKey = verdict.series;
  void [status, percentile, series, verdict.observedMs, verdict.budgetMs, verdict.baseBudgetMs, verdict.ratio, verdict.samples, verdict.at];
}
const tick: TickResult = headroom.tick();
const tickFields: [number, number, readonly Verdict[], readonly DegradationDecision[]] = [tick.at, tick.durationMs, tick.verdicts, tick.decisions];
const endpoint: MetricsEndpoint = await headroom.metricsEndpoint();
const endpointFields: [string | undefined, Error | undefined] = [endpoint.url, endpoint.error];
const processors: readonly SpanProcessor[] = headroom.spanProcessors;
const sampler: Sampler = headroom.sampler(headroom.sampler());
const sdkParts = [headroom.spanProcessor, headroom.tracerProvider, headroom.service, headroom.namespace, processors, sampler];
const producer: MetricProducer = headroom.metricProducer();
const hostExporter = new PrometheusExporter({ preventServerStart: true, metricProducers: [headroom.metricProducer()] });
const registry: PromClientRegistry = new Registry();
const promOptions: RegisterHeadroomMetricsOptions = { register: registry };
const producerSource: MetricProducerSource = headroom;
registerHeadroomMetrics(producerSource, promOptions);
const levels: readonly DegradationLevel[] = DEGRADATION_LEVELS;
const backoff: BackoffOptions = { initialMs: 500, maxMs: 30000, random: Math.random };
const connectOptions: ConnectDecisionsOptions = {
  url: 'http://127.0.0.1:4320', service: 'checkout', namespace: 'payments', token: 't', onDecision: listener,
  fetch: globalThis.fetch, backoff, idleTimeoutMs: 45000, staleAfterMs: 45000, fallbackLevel: 'last',
  fallbackDisabledFeatures: ['x'], now: Date.now,
  onAdmissionDecision: (decision) => void [decision.criticality, decision.to], random: Math.random,
};
const remote: RemoteDecisions = connectDecisions(connectOptions);
const remoteFields: [DegradationLevel, FeatureFlags, boolean, boolean, number | undefined] = [
  remote.level, remote.features, remote.connected, remote.stale, remote.lastUpdateMs];
const state: RemoteDecisionsState = remote.state();
const stateFields: [DegradationLevel, readonly string[], boolean, boolean, number | undefined, number | undefined, string | undefined] = [
  state.level, state.disabledFeatures, state.connected, state.stale, state.lastUpdateMs, state.lastHeardMs, state.agentInstanceId];
const admitted: boolean = remote.admit('SHEDDABLE').admitted || remote.admit().admitted;
const admission: RemoteAdmissionState | undefined = state.admission;
const probability: number | undefined = admission?.probabilities.SHEDDABLE;
remote.close();
const env: Environment = process.env;
const loadOptions: LoadConfigOptions = { files: ['a.yaml'], env, refuseEmpty: true };
const loaded: ResolvedConfig = loadConfig(loadOptions);
const source: ConfigSource = { file: 'x.yaml', text: '' };
const parsed: HeadroomConfig = parseConfig([source], env) as HeadroomConfig;
const unitNames: number[] = [loaded.window.lengthMs, loaded.receiver.maxBodyBytes, parsed.shutdown.timeoutMs];
const external: StartOptions = { resolvedConfig: loaded, env, sdk: 'external' };
const schema: Record<string, unknown> = jsonSchema();
function explain(error: unknown): string {
  if (error instanceof ConfigInvalidError) {
    const issues: readonly ConfigIssue[] = error.issues;
    return issues.map((issue) => [issue.file, issue.path, issue.line, issue.column, issue.message].join(':')).join();
  }
  if (error instanceof ConfigReadError) return error.file;
  if (error instanceof ConfigEmptyError) return error.file;
  if (error instanceof InvalidArgumentError) return error.argument;
  if (error instanceof ClientOptionsError) return error.option;
  if (error instanceof MetricNameTakenError) return error.metric;
  if (error instanceof HeadroomError) return error.code + error.name;
  return '';
}
void [tracked, quote, flags, modified, level, unsubscribe, auditFields, tickFields, endpointFields, sdkParts, levels];
const names: [ContextName, PhaseName<'emergency'>, FeatureName, ModifierName] = ['any', 'any', 'any', 'any'];
const noNames: HeadroomNames = {};
void [remoteFields, stateFields, admitted, probability, unitNames, external, schema, explain, names, noNames, producer, hostExporter];
await headroom.shutdown();
`;

/** Run by Node: what README.md's "Use it in a service" does, then the process must end by itself. */
const RUN_PROGRAM = `
import { start } from 'headroom-otel';
const headroom = start({ config: { exporters: { prometheus: { port: 0 } } }, env: {} });
const budgetMs = await headroom.track('checkout', 'emergency', async (op) => op.phase('routing', () => op.budgetMs()));
const quote = headroom.wrap('price-quote', 'routine', (items) => items.length);
headroom.override('SEVERE', 'review');
const { url } = await headroom.metricsEndpoint();
const metrics = await (await fetch(url)).text();
const levelMetric = /^headroom_degradation_level\\{.*\\} (\\d+)$/m.exec(metrics)?.[1];
console.log(JSON.stringify({ service: headroom.service, budgetMs, quote: quote([1, 2, 3]), level: headroom.level,
  decisions: headroom.auditLog.size, levelMetric }));
await headroom.shutdown();
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'es2023',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    types: ['node'],
  },
  files: ['program.ts'],
};

let project = '';
let packedFiles: string[] = [];
const env = { PATH: process.env.PATH ?? '' };

/** A service with the live view on: the page and uPlot come from the installed package, offline. */
const VIEW_PROGRAM = `
import { createServer } from 'node:net';
import { start } from 'headroom-otel';
const probe = createServer();
await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
const { port } = probe.address();
await new Promise((resolve) => probe.close(resolve));
const headroom = start({ config: { exporters: { prometheus: { enabled: false } }, api: { anonymous: ['read'] },
  ui: { enabled: true, port } }, env: {} });
const answers = {};
for (const path of ['/ui/', '/ui/services/_/checkout', '/ui/app.js', '/ui/vendor/uPlot.iife.min.js', '/ui/vendor/uPlot.min.css']) {
  // The listener starts in the background: a few refused connections first.
  for (let attempt = 0; ; attempt++) {
    try {
      const reply = await fetch('http://127.0.0.1:' + port + path);
      answers[path] = [reply.status, reply.headers.get('content-type'), (await reply.arrayBuffer()).byteLength > 0];
      break;
    } catch (error) {
      if (attempt === 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
await headroom.shutdown();
console.log(JSON.stringify(answers));
`;

/** Links `name` from the repository's node_modules into the project's. */
function linkDependency(name: string): void {
  const target = join(project, 'node_modules', name);
  mkdirSync(dirname(target), { recursive: true });
  symlinkSync(join(root, 'node_modules', name), target, 'dir');
}

async function typeCheck(program: string): Promise<{ code: number | null; stdout: string }> {
  writeFileSync(join(project, 'program.ts'), program);
  return runNode(
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(project, 'tsconfig.json')],
    {
      env,
      timeoutMs: 120_000,
    },
  );
}

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'headroom-consumer-'));
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', project], {
    cwd: root,
  });
  const [packed] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
  packedFiles = packed.files.map((file) => file.path).sort();
  const unpacked = join(project, 'node_modules', 'headroom-otel');
  mkdirSync(unpacked, { recursive: true });
  await run('tar', ['xzf', join(project, packed.filename), '-C', unpacked, '--strip-components=1']);
  for (const name of [...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies)]) {
    linkDependency(name);
  }
  linkDependency('@types/node');
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', type: 'module', private: true }),
  );
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG));
}, 120_000);

afterAll(() => {
  if (project !== '') rmSync(project, { recursive: true, force: true });
});

describe('the packed headroom-otel', () => {
  it('should hold the compiled code, the CLI, the schema, the docs and the example configs, and nothing else', () => {
    const topLevel = [...new Set(packedFiles.map((path) => path.split('/')[0]))].sort();
    expect(topLevel).toEqual([
      'LICENSE',
      'README.md',
      'bin',
      'dist',
      'docs',
      'examples',
      'package.json',
      'schema',
    ]);
    // Besides compiled code, dist/ holds the live view's page (view/static, copied by the build).
    expect(
      packedFiles.filter((path) => path.startsWith('dist/') && !/\.(js|d\.ts|js\.map)$/.test(path)),
    ).toEqual(['dist/view/static/favicon.svg', 'dist/view/static/index.html', 'dist/view/static/style.css']);
    expect(
      packedFiles.filter((path) => path.startsWith('dist/view/static/') && path.endsWith('.js')),
    ).toEqual(
      [
        'api',
        'app',
        'charts',
        'dom',
        'format',
        'keyed',
        'overview-row',
        'overview',
        'service-page',
        'sse',
        'store',
        'widgets',
      ].map((name) => `dist/view/static/${name}.js`),
    );
    expect(
      packedFiles.filter((path) => /\.test\.|^dist\/(test|bench|fuzz|scripts|examples)\//.test(path)),
    ).toEqual([]);
    expect(packedFiles.filter((path) => !path.startsWith('dist/'))).toEqual([
      'LICENSE',
      'README.md',
      'bin/headroom.js',
      'docs/api.md',
      'docs/attributes.md',
      'docs/decision-api.md',
      'docs/errors.md',
      'docs/metrics.md',
      'examples/demo.yaml',
      'examples/headroom.yaml',
      'package.json',
      'schema/headroom.schema.json',
    ]);
    for (const entry of [
      'dist/index.js',
      'dist/index.d.ts',
      'dist/prom-client.js',
      'dist/prom-client.d.ts',
      'dist/app/cli/main.js',
    ]) {
      expect(packedFiles).toContain(entry);
    }
  });

  it('should type-check a program using every documented symbol against the packed declarations', async () => {
    expect(await typeCheck(TYPED_PROGRAM)).toMatchObject({ code: 0, stdout: '' });
    const wrong = await typeCheck(
      "import { start } from 'headroom-otel';\nstart().track('a', 'b', (op) => op.nope);\n",
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(
      /program\.ts\(2,\d+\): error TS2339: Property 'nope' does not exist on type 'Operation<string>'\.\n$/,
    );
  }, 240_000);

  it('should run a program importing it: track, wrap, override, metrics, shutdown, then exit by itself', async () => {
    writeFileSync(join(project, 'program.mjs'), RUN_PROGRAM);
    const result = await runNode([join(project, 'program.mjs')], { env, timeoutMs: 30_000 });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({
      service: 'unknown_service:node',
      budgetMs: 50,
      quote: 3,
      level: 'SEVERE',
      decisions: 1,
      levelMetric: '3',
    });
  }, 60_000);

  it('should load no HTTP framework, decoder, gRPC, prom-client or node:sqlite when imported', async () => {
    copyFileSync(join(root, 'scripts', 'loaded-modules.ts'), join(project, 'loaded-modules.ts'));
    const result = await runNode([join(project, 'loaded-modules.ts'), 'headroom-otel'], {
      env,
      timeoutMs: 30_000,
    });
    expect(result.code).toBe(0);
    const loaded = JSON.parse(result.stdout) as { packages: string[]; builtins: string[] };
    expect(loaded.packages).toContain('headroom-otel');
    expect(loaded.packages.filter((name) => /^(fastify|protobufjs|@grpc\/|prom-client)/.test(name))).toEqual(
      [],
    );
    expect(
      loaded.builtins.filter((name) => ['node:sqlite', 'node:http2', 'node:net'].includes(name)),
    ).toEqual([]);
  }, 60_000);

  it('should serve the live view page and uPlot from the installed package', async () => {
    writeFileSync(join(project, 'view.mjs'), VIEW_PROGRAM);
    const result = await runNode([join(project, 'view.mjs')], { env, timeoutMs: 30_000 });
    expect(result.code).toBe(0);
    const html = 'text/html; charset=utf-8';
    const js = 'text/javascript; charset=utf-8';
    expect(JSON.parse(result.stdout)).toEqual({
      '/ui/': [200, html, true],
      '/ui/services/_/checkout': [200, html, true],
      '/ui/app.js': [200, js, true],
      '/ui/vendor/uPlot.iife.min.js': [200, js, true],
      '/ui/vendor/uPlot.min.css': [200, 'text/css; charset=utf-8', true],
    });
  }, 60_000);

  it('should run its CLI: headroom validate on the defaults', async () => {
    const result = await runNode(
      [join(project, 'node_modules', 'headroom-otel', 'bin', 'headroom.js'), 'validate'],
      {
        env,
      },
    );
    expect(result).toEqual({
      code: 0,
      stdout:
        'defaults: valid (contexts: emergency 50ms p95, routine 200ms p95, deliberative 1000ms p95; 0 rules)\n',
      stderr: '',
      ms: expect.any(Number),
    });
  });
});
