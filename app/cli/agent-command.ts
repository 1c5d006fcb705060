import { watch } from 'node:fs';
import { parseArgs } from 'node:util';
import { Collector } from '../collector.ts';
import type { CliIo } from './io.ts';

/** Longest a SIGTERM/SIGINT shutdown may take before the process exits anyway, ms. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

/**
 * `headroom agent --config FILE [--config FILE] [--watch]`: collector mode. Runs until SIGTERM or
 * SIGINT (drains, flushes, exits 0); SIGHUP — or a change to a config file with --watch —
 * reloads the configuration, keeping the running one when the new one is invalid.
 */
export async function agentCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', short: 'c', multiple: true },
      watch: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const files = values.config ?? [];
  const log = (line: string) => io.stderr(`headroom agent: ${line}\n`);
  const collector = await Collector.start({ files, env: io.env, log });
  const watchers = values.watch
    ? files.map((file) => watch(file, { persistent: false }, () => collector.reload()))
    : [];
  const onHangup = () => collector.reload();
  process.on('SIGHUP', onHangup);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log(`${signal} received`);
  process.off('SIGHUP', onHangup);
  for (const watcher of watchers) watcher.close();
  // Whatever happens during shutdown, the process leaves within the bound.
  setTimeout(() => {
    log(`shutdown took longer than ${SHUTDOWN_TIMEOUT_MS} ms; exiting`);
    process.exit(1);
  }, SHUTDOWN_TIMEOUT_MS).unref();
  await collector.shutdown(SHUTDOWN_TIMEOUT_MS - 1000);
  return 0;
}
