import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

interface Loaded {
  readonly importMs: number;
  readonly packages: readonly string[];
  readonly builtins: readonly string[];
  readonly folders: readonly string[];
}

async function loadedBy(module: string): Promise<Loaded> {
  const { stdout } = await run(process.execPath, [join(root, 'scripts', 'loaded-modules.ts'), module], {
    cwd: root,
  });
  return JSON.parse(stdout) as Loaded;
}

/** Packages and built-ins only collector mode (and later, opt-in features) may load. */
const COLLECTOR_ONLY_PACKAGES = ['fastify', 'protobufjs', '@grpc/grpc-js', 'prom-client'];
const COLLECTOR_ONLY_BUILTINS = [
  'node:sqlite',
  'node:net',
  'node:http2',
  'node:dns',
  'node:tls',
  'node:cluster',
];

describe('an embedded import of headroom-otel', () => {
  it('should load no HTTP framework, decoder, gRPC, prom-client or node:sqlite', async () => {
    const loaded = await loadedBy('./index.ts');
    expect(loaded.packages.filter((name) => COLLECTOR_ONLY_PACKAGES.includes(name))).toEqual([]);
    expect(loaded.builtins.filter((name) => COLLECTOR_ONLY_BUILTINS.includes(name))).toEqual([]);
  });

  it('should load exactly the packages listed here (a new one is a decision, made in this list)', async () => {
    const loaded = await loadedBy('./index.ts');
    expect(loaded.packages).toEqual([
      '@datadog/sketches-js',
      '@opentelemetry/api',
      '@opentelemetry/context-async-hooks',
      '@opentelemetry/core',
      '@opentelemetry/exporter-metrics-otlp-http',
      '@opentelemetry/exporter-metrics-otlp-proto',
      '@opentelemetry/exporter-prometheus',
      '@opentelemetry/otlp-exporter-base',
      '@opentelemetry/otlp-transformer',
      '@opentelemetry/resources',
      '@opentelemetry/sdk-metrics',
      '@opentelemetry/sdk-trace',
      '@opentelemetry/semantic-conventions',
      '@pinojs/redact',
      'atomic-sleep',
      'on-exit-leak-free',
      'pino',
      'pino-std-serializers',
      'quick-format-unescaped',
      'safe-stable-stringify',
      'sonic-boom',
      'thread-stream',
      'yaml',
      'zod',
    ]);
  });

  it('should leave prom-client to headroom-otel/prom-client, which loads it and nothing else new', async () => {
    const embedded = await loadedBy('./index.ts');
    const subpath = await loadedBy('./prom-client.ts');
    expect(subpath.packages.filter((name) => !embedded.packages.includes(name))).toEqual([
      'bintrees',
      'prom-client',
      'tdigest',
    ]);
  });

  it('should load no framework through the HTTP middleware subpaths (express, fastify stay optional)', async () => {
    const frameworks = ['express', 'fastify', '@fastify/otel', 'router'];
    for (const subpath of ['http', 'express', 'fastify']) {
      const loaded = await loadedBy(`./instrumentation/http/${subpath}.ts`);
      expect(loaded.packages.filter((name) => frameworks.includes(name))).toEqual([]);
      expect(loaded.builtins.filter((name) => COLLECTOR_ONLY_BUILTINS.includes(name))).toEqual([]);
    }
  });

  it('should not load the live view (view/), which start() imports only when ui.enabled', async () => {
    const loaded = await loadedBy('./index.ts');
    expect(loaded.folders).toEqual(['agent', 'app', 'config', 'exporters', 'instrumentation']);
  });

  it('should load no HTTP framework with the live view (view/ is node:http only)', async () => {
    const loaded = await loadedBy('./app/view-listener.ts');
    expect(loaded.packages.filter((name) => COLLECTOR_ONLY_PACKAGES.includes(name))).toEqual([]);
    expect(loaded.folders).toContain('view');
  });

  it('should be told apart from collector mode, which does load fastify', async () => {
    const loaded = await loadedBy('./collector/index.ts');
    expect(loaded.packages).toContain('fastify');
  });
});
