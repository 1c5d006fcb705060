/**
 * Headroom's own log: JSON lines on stderr (pino), one object per event with `time` (ISO 8601),
 * `level` (error, warn, info, debug, trace), `msg` and the event's context fields. The level
 * comes from OTEL_LOG_LEVEL (read by config/). OpenTelemetry's `diag` messages go to the same
 * log, so `diag.warn/error` from Headroom and the SDK are visible.
 */
import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { type DestinationStream, type LevelWithSilent, type Logger, pino } from 'pino';
import { type Environment, type OtelLogLevel, otelLogLevel } from '../config/index.ts';

export type { Logger } from 'pino';

const PINO_LEVELS: Readonly<Record<OtelLogLevel, LevelWithSilent>> = {
  none: 'silent',
  error: 'error',
  warn: 'warn',
  info: 'info',
  debug: 'debug',
  verbose: 'trace',
  all: 'trace',
};

const DIAG_LEVELS: Readonly<Record<OtelLogLevel, DiagLogLevel>> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

export interface JsonLoggerOptions {
  /** OTEL_LOG_LEVEL comes from here. */
  readonly env: Environment;
  /** Where lines go. @default stderr, written synchronously (nothing is lost at exit) */
  readonly destination?: DestinationStream;
  /** Fields on every line, e.g. `{ name: 'headroom-agent' }`. @default none */
  readonly base?: Readonly<Record<string, unknown>>;
}

/**
 * A JSON-lines logger at the OTEL_LOG_LEVEL of `env` (default info). An unknown level is logged
 * once as a warning and info is used, as the specification asks.
 * @example
 * const logger = createJsonLogger({ env: process.env });
 * logger.info({ port: 4318 }, 'receiving OTLP/HTTP');
 * // {"level":"info","time":"2026-01-01T00:00:00.000Z","port":4318,"msg":"receiving OTLP/HTTP"}
 */
export function createJsonLogger(options: JsonLoggerOptions): { logger: Logger; level: OtelLogLevel } {
  const { level, unknown } = otelLogLevel(options.env);
  const logger = pino(
    {
      level: PINO_LEVELS[level],
      base: options.base === undefined ? null : { ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ dest: 2, sync: true }),
  );
  if (unknown !== undefined) logger.warn({ value: unknown }, 'unknown OTEL_LOG_LEVEL; using info');
  return { logger, level };
}

/**
 * Registers `logger` as OpenTelemetry's diag logger at `level`, so `diag.warn/error` (from
 * Headroom and from the SDK) become log lines with `component: "otel"`.
 */
export function registerDiagLogger(logger: Logger, level: OtelLogLevel): void {
  if (level === 'none') return;
  diag.setLogger(diagLoggerOf(logger), { logLevel: DIAG_LEVELS[level], suppressOverrideMessage: true });
}

/**
 * Whether a diag logger is registered already (by the service, or an OTel SDK setup). The API
 * has no getter: every copy of `@opentelemetry/api` 1.x shares its state on this global symbol.
 */
export function hasDiagLogger(): boolean {
  const key = Symbol.for('opentelemetry.js.api.1');
  const api = (globalThis as Record<symbol, { diag?: unknown } | undefined>)[key];
  return api?.diag !== undefined;
}

/** The diag interface over `logger`: an Error among the arguments becomes `err`, the rest `args`. */
function diagLoggerOf(logger: Logger): DiagLogger {
  const child = logger.child({ component: 'otel' });
  const write =
    (method: 'error' | 'warn' | 'info' | 'debug' | 'trace') =>
    (message: string, ...args: unknown[]): void => {
      const err = args.find((arg) => arg instanceof Error);
      const rest = args.filter((arg) => arg !== err);
      const fields: Record<string, unknown> = {};
      if (err !== undefined) fields.err = err;
      if (rest.length > 0) fields.args = rest;
      child[method](fields, message);
    };
  return {
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    debug: write('debug'),
    verbose: write('trace'),
  };
}
