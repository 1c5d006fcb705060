import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatDuration, parseDurationMs } from '../../config/index.ts';
import type { CliIo } from './io.ts';

/**
 * Where examples/demo.yaml may be, relative to this file: `app/cli/` in the sources,
 * `dist/app/cli/` in the built package (whose examples/ stays at the package root).
 */
const DEMO_CONFIG_CANDIDATES = ['../../examples/demo.yaml', '../../../examples/demo.yaml'];

/** The demo configuration shipped with the package, or `undefined` when it is missing. */
export function bundledDemoConfig(): string | undefined {
  return DEMO_CONFIG_CANDIDATES.map((path) => fileURLToPath(new URL(path, import.meta.url))).find((file) =>
    existsSync(file),
  );
}

/**
 * `headroom demo [--duration 60s] [--config FILE]`: runs the demo service of examples/ (a slowdown
 * that Headroom degrades for, then recovers from) and prints each decision. 0 when it ran, 1 when
 * the configuration is missing, 2 for a bad --duration.
 */
export async function demoCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { duration: { type: 'string', short: 'd' }, config: { type: 'string', short: 'c' } },
    strict: true,
  });
  const durationMs = values.duration === undefined ? undefined : parseDurationMs(values.duration);
  if (values.duration !== undefined && (durationMs === undefined || durationMs <= 0)) {
    io.stderr(`headroom demo: --duration "${values.duration}" is not a duration such as 60s or 1m30s\n`);
    return 2;
  }
  const configFile = values.config ?? bundledDemoConfig();
  if (configFile === undefined) {
    io.stderr('headroom demo: examples/demo.yaml is not next to the package; pass --config FILE\n');
    return 1;
  }
  // Loaded on demand: the other commands never pay for the OpenTelemetry SDK the demo starts.
  const { runDemo, DEFAULT_DURATION_MS } = await import('../demo/demo-service.ts');
  if (durationMs !== undefined && durationMs < DEFAULT_DURATION_MS - 5000) {
    io.stdout(`(a ${formatDuration(durationMs)} run may end before Headroom has recovered back to NONE)\n`);
  }
  await runDemo({ configFile, io, durationMs, env: io.env });
  return 0;
}
