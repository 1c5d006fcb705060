/**
 * The ends of every peer dependency range, tested as a user installs them: `npm pack`s the built
 * package, then for the lowest and for the highest version of each range in package.json's
 * `peerDependencies` (read from the npm registry) installs the package with those versions into a
 * new project, type-checks a small program against them (NodeSDK taking `headroom.spanProcessors`
 * and `headroom.sampler()`) and runs it: the host's exporter must see no span its sampler dropped
 * while Headroom counts every one. `.ci/run` calls it after `npm test` (`npm run peer-ranges`);
 * it needs the registry and a build (`npm run build`). Exits 1 with the failing step's output.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
/** Each external step's bound, ms: an install from the registry takes 10-60 s. */
const STEP_TIMEOUT_MS = 180_000;

/** The program both ends run: NodeSDK as the README sets it up, with a sampler that samples nothing. */
const PROGRAM = `
import { SpanKind, trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { start } from 'headroom-otel';

type SdkConfig = NonNullable<ConstructorParameters<typeof NodeSDK>[0]>;
type HostProcessor = NonNullable<SdkConfig['spanProcessors']>[number];
type HostSampler = NonNullable<SdkConfig['sampler']>;

const headroom = start({
  sdk: 'external',
  env: {},
  config: {
    service: { name: 'smoke' },
    exporters: { prometheus: { port: 0 } },
    rules: [{ match: { kind: 'server', attributes: { 'http.route': '/pay' } }, context: 'emergency' }],
  },
});
let exported = 0;
const exporting: HostProcessor = {
  onStart() {},
  onEnd(span) {
    if ((span.spanContext().traceFlags & 1) === 1) exported++;
  },
  forceFlush: async () => {},
  shutdown: async () => {},
};
const never: HostSampler = { shouldSample: () => ({ decision: 0 }), toString: () => 'never' };
const sdk = new NodeSDK({
  spanProcessors: [...headroom.spanProcessors, exporting],
  sampler: headroom.sampler(never),
  instrumentations: [],
});
sdk.start();
const tracer = trace.getTracer('smoke');
for (let i = 0; i < 3; i++) {
  tracer.startSpan('GET /pay', { kind: SpanKind.SERVER, attributes: { 'http.route': '/pay' } }).end();
}
await headroom.track('quote', 'routine', async () => 'ok');
const { url } = await headroom.metricsEndpoint();
const text = await (await fetch(url ?? '')).text();
const counted = text.split('\\n').filter((line) => line.startsWith('headroom_operations_total{')).sort();
console.log(JSON.stringify({ exported, counted }));
await sdk.shutdown();
await headroom.shutdown();
`;

const EXPECTED = JSON.stringify({
  exported: 0,
  counted: [
    'headroom_operations_total{service="smoke",operation="GET /pay",context="emergency"} 3',
    'headroom_operations_total{service="smoke",operation="quote",context="routine"} 1',
  ],
});

const TSCONFIG = {
  compilerOptions: {
    target: 'es2023',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    allowImportingTsExtensions: true,
    types: ['node'],
  },
  files: ['smoke.ts'],
};

/** Runs a command to its end; its output, or a thrown Error carrying both streams. */
function run(command: string, args: readonly string[], cwd: string, env = process.env): string {
  try {
    return execFileSync(command, args, {
      cwd,
      env,
      encoding: 'utf8',
      timeout: STEP_TIMEOUT_MS,
      stdio: 'pipe',
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout}${stderr}`);
  }
}

/** The published versions of `name` in `range`, lowest first (no pre-releases). */
function versionsIn(name: string, range: string): string[] {
  const out = run('npm', ['view', `${name}@${range}`, 'version', '--json'], ROOT).trim();
  const parsed = out === '' ? [] : (JSON.parse(out) as string | string[]);
  const versions = (Array.isArray(parsed) ? parsed : [parsed]).filter((v) => !v.includes('-'));
  if (versions.length === 0) throw new Error(`no published version of ${name} in "${range}"`);
  return versions.sort(compareVersions);
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** Installs the tarball with `pins` into a new project, type-checks and runs the program there. */
function check(tarball: string, pins: readonly string[]): void {
  const project = mkdtempSync(join(tmpdir(), 'headroom-peers-'));
  try {
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'smoke', private: true, type: 'module' }),
    );
    run('npm', ['install', '--no-audit', '--no-fund', '--save-exact', tarball, ...pins], project);
    const types = join(project, 'node_modules', '@types', 'node');
    if (!existsSync(types)) {
      mkdirSync(join(project, 'node_modules', '@types'), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules', '@types', 'node'), types, 'dir');
    }
    writeFileSync(join(project, 'smoke.ts'), PROGRAM);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    run(
      process.execPath,
      [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'],
      project,
    );
    const env = { PATH: process.env.PATH ?? '', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' };
    const output = run(process.execPath, ['smoke.ts'], project, env).trim();
    if (output !== EXPECTED)
      throw new Error(`with ${pins.join(' ')}:\nexpected ${EXPECTED}\n     got ${output}`);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

function main(): void {
  if (!existsSync(join(ROOT, 'dist', 'index.js'))) throw new Error('no dist/: run `npm run build` first');
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    peerDependencies: Record<string, string>;
  };
  const ends = Object.entries(manifest.peerDependencies).map(([name, range]) => {
    const versions = versionsIn(name, range);
    return { name, range, lowest: versions[0] as string, highest: versions.at(-1) as string };
  });
  const packDir = mkdtempSync(join(tmpdir(), 'headroom-pack-'));
  const [packed] = JSON.parse(
    run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], ROOT),
  ) as [{ filename: string }];
  const tarball = join(packDir, packed.filename);
  try {
    for (const end of ['lowest', 'highest'] as const) {
      const startedMs = performance.now();
      const pins = ends.map((peer) => `${peer.name}@${peer[end]}`);
      check(tarball, pins);
      console.log(`${end}: ${pins.join(' ')}: ok (${Math.round(performance.now() - startedMs)} ms)`);
    }
  } finally {
    rmSync(packDir, { recursive: true, force: true });
  }
  for (const peer of ends) console.log(`${peer.name} "${peer.range}": ${peer.lowest} .. ${peer.highest}`);
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
