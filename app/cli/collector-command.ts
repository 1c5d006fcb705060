import { constants } from 'node:os';
import { ConfigInvalidError, HeadroomError } from '../../errors.ts';
import { Collector } from '../collector.ts';
import { createJsonLogger, type Logger, registerDiagLogger } from '../logging.ts';
import { CONFIG_OPTION, type Command, parseCommandArgs } from './command.ts';
import { watchConfig } from './config-watcher.ts';
import type { CliIo } from './io.ts';

const OPTIONS = {
  config: CONFIG_OPTION,
  watch: {
    type: 'boolean',
    default: false,
    help: 'reload when a configuration file changes (atomic saves and Kubernetes ConfigMaps included)',
  },
} as const;

/** What the process waits for before shutting down. */
const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * `headroom agent --config FILE [--config FILE] [--watch]`: collector mode. Logs JSON lines on
 * stderr at OTEL_LOG_LEVEL (default info), OpenTelemetry diag messages included. Runs until
 * SIGTERM or SIGINT, then drains and flushes within `shutdown.timeout` (default 10 s) and exits
 * 0, logging `stopped (N spans dropped)`; what was not delivered by then is counted as dropped.
 * A second SIGTERM/SIGINT during shutdown exits at once with 128 + the signal number (130, 143).
 * A SIGTERM/SIGINT while the start waits for the state store's lock stops the wait and exits 0.
 * SIGHUP — or a change to a config file with --watch, atomic saves included — reloads the
 * configuration, keeping the running one when the new one is invalid or empty.
 */
async function collectorCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(OPTIONS, args);
  const files = values.config ?? [];
  const { logger, level } = createJsonLogger({
    env: io.env,
    base: { name: 'headroom-agent' },
    destination: { write: (line) => io.stderr(line) },
  });
  registerDiagLogger(logger, level);
  // Listening from the start: a signal during startup stops the agent as soon as it is up.
  const stopping = stopSignal();
  // From the start too: SIGHUP's default action would kill an agent still starting up.
  let started: Collector | undefined;
  const onHangup = () => {
    if (started === undefined) logger.info('SIGHUP during start-up: the configuration just read stays');
    else started.reload();
  };
  process.on('SIGHUP', onHangup);
  const outcome = await startCollector(files, io, logger, stopping.signal);
  if (typeof outcome === 'number') {
    process.off('SIGHUP', onHangup);
    stopping.cancel();
    return outcome;
  }
  const collector = outcome;
  started = collector;
  const watcher = values.watch
    ? watchConfig({
        files,
        onChange: () => collector.reload(),
        clock: collector.agent.clock,
        onError: (error) => logger.warn({ err: error }, 'watching the configuration failed'),
      })
    : undefined;
  // Changes saved before this line are in the running configuration already; later ones reload.
  if (watcher !== undefined) logger.info(`watching ${files.join(', ')} for changes`);
  const signal = await stopping.signal;
  process.off('SIGHUP', onHangup);
  watcher?.close();
  return stop(collector, signal, logger);
}

/**
 * Starts the collector; on failure logs why and returns the exit code: 1 for a coded error, 0 when
 * a stop signal ended a wait for the state store's lock (which may last `storage.lockTimeout`).
 */
async function startCollector(
  files: string[],
  io: CliIo,
  logger: Logger,
  stopping: Promise<NodeJS.Signals>,
): Promise<Collector | number> {
  const startup = new AbortController();
  void stopping.then((name) => startup.abort(name));
  // The clock's timers are unref'd: while the start waits for the store's lock, this one keeps the
  // process from exiting with nothing left to run.
  const keepAlive = setInterval(() => {}, 60_000);
  try {
    return await Collector.start({ files, env: io.env, logger, signal: startup.signal });
  } catch (error) {
    if (startup.signal.aborted && error === startup.signal.reason) {
      logger.info({ signal: error }, `${String(error)} received while starting: stopped`);
      return 0;
    }
    if (!(error instanceof HeadroomError)) throw error;
    const issues = error instanceof ConfigInvalidError ? error.issues : undefined;
    logger.error({ code: error.code, issues }, `${error.code}: ${error.message}`);
    return 1;
  } finally {
    clearInterval(keepAlive);
  }
}

/** The first stop signal; until then (or `cancel()`) the default handlers are replaced. */
function stopSignal(): { signal: Promise<NodeJS.Signals>; cancel: () => void } {
  let cancel = () => {};
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    const handlers = STOP_SIGNALS.map((name) => [name, () => finish(name)] as const);
    const remove = () => {
      for (const [name, handler] of handlers) process.off(name, handler);
    };
    const finish = (name: NodeJS.Signals) => {
      remove();
      resolve(name);
    };
    for (const [name, handler] of handlers) process.on(name, handler);
    cancel = remove;
  });
  return { signal, cancel };
}

/**
 * Shuts down within `shutdown.timeout`. A few milliseconds of the bound are kept for the last log
 * line; a backstop at the bound exits even if a foreign handle (a stuck socket) kept the process.
 */
async function stop(collector: Collector, signal: NodeJS.Signals, logger: Logger): Promise<number> {
  const boundMs = collector.config.shutdown.timeoutMs;
  logger.info({ signal, timeoutMs: boundMs }, `${signal} received`);
  const forceExit = (second: NodeJS.Signals) => {
    const code = 128 + constants.signals[second];
    logger.warn({ signal: second, exitCode: code }, `${second} received again: exiting now`);
    process.exit(code);
  };
  for (const name of STOP_SIGNALS) process.once(name, forceExit);
  let code = 1;
  // Unref'd: it only fires when something else keeps the process past the bound.
  setTimeout(() => process.exit(code), boundMs).unref();
  await collector.shutdown(Math.max(0, boundMs - Math.min(200, boundMs / 10)));
  code = 0;
  return code;
}

/** `headroom agent`, for the command list and its help. */
export const AGENT_COMMAND: Command = {
  name: 'agent',
  summary: 'collector mode: receive OTLP from many services, judge them, serve decisions',
  usage: 'headroom agent --config FILE [--config FILE] [--watch]',
  description:
    'Collector mode: receives OTLP (traces and metrics) from many services, in any language, judges ' +
    'their spans against the configured budgets, serves degradation decisions over HTTP and SSE, and ' +
    'forwards the telemetry to the configured backends. Logs JSON lines on stderr at OTEL_LOG_LEVEL ' +
    '(default info).\n\n' +
    'Runs until SIGTERM or SIGINT, then drains and flushes within shutdown.timeout (default 10s); a second ' +
    'signal exits at once (130 or 143). SIGHUP, or a file change with --watch, reloads the configuration, ' +
    'keeping the running one when the new one is invalid or empty.',
  options: OPTIONS,
  exitCodes: [
    [0, 'stopped by SIGTERM or SIGINT'],
    [1, 'it cannot start (invalid configuration, a port in use, a locked state store)'],
    [2, 'usage error'],
    [130, 'a second SIGINT during shutdown (143: a second SIGTERM)'],
  ],
  example: 'headroom agent --config headroom.yaml --watch',
  run: collectorCommand,
};
