import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatDuration, parseDurationMs } from '../../config/index.ts';
import { type Command, parseCommandArgs } from './command.ts';
import type { CliIo } from './io.ts';

const OPTIONS = {
  duration: {
    type: 'string',
    short: 'd',
    value: 'DURATION',
    help: 'how long the demo runs, such as 90s or 1m30s (default 60s)',
  },
  config: {
    type: 'string',
    short: 'c',
    value: 'FILE',
    help: "the demo's configuration (default examples/demo.yaml of the package)",
  },
} as const;

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
  const { values } = parseCommandArgs(OPTIONS, args);
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

/** `headroom demo`, for the command list and its help. */
export const DEMO_COMMAND: Command = {
  name: 'demo',
  summary: 'run the demo service: a slowdown, the degradation, the recovery',
  usage: 'headroom demo [--duration DURATION] [--config FILE]',
  description:
    'Runs a demo service under simulated traffic with embedded Headroom: a slowdown pushes latency over ' +
    'budget, Headroom degrades the service step by step, then recovers once latency is back. Prints each ' +
    'decision, and serves the metrics at http://127.0.0.1:9464/metrics (HEADROOM_DEMO_PORT=0 picks a free port).',
  options: OPTIONS,
  exitCodes: [
    [0, 'the demo ran'],
    [1, 'the configuration is missing'],
    [2, 'usage error (a --duration that is not a duration, say)'],
  ],
  example: 'headroom demo --duration 2m',
  run: demoCommand,
};
