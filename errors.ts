/**
 * Every error Headroom throws at a user: one class per code, codes stable and never reused.
 * Codes follow `HEADROOM_ERR_<AREA>_<WHAT>`; docs/errors.md lists each one with what to do.
 */

/** Base class of every error Headroom throws; `code` is stable across releases. */
export class HeadroomError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** One problem found in a configuration file, located in the YAML it came from. */
export interface ConfigIssue {
  /** The file the value came from, or `<env>` / `<defaults>` when no file supplied it. */
  readonly file: string;
  /** Dotted path in the config, e.g. `contexts.emergency.budget`; array indices as `[2]`. */
  readonly path: string;
  /** 1-based line and column in `file`, when known. */
  readonly line?: number;
  readonly column?: number;
  /** What is wrong and what is allowed. */
  readonly message: string;
}

/** The configuration (one or more files plus environment) is invalid; `issues` lists every problem. */
export class ConfigInvalidError extends HeadroomError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options?: ErrorOptions) {
    super('HEADROOM_ERR_CONFIG_INVALID', formatIssues(issues), options);
    this.issues = issues;
  }
}

/** A configuration file could not be read (missing, unreadable). */
export class ConfigReadError extends HeadroomError {
  readonly file: string;

  constructor(file: string, options?: ErrorOptions) {
    super('HEADROOM_ERR_CONFIG_READ', `cannot read config file ${file}`, options);
    this.file = file;
  }
}

/**
 * At a reload, a configuration file was empty or held only whitespace: most likely caught in the
 * middle of a write, so it is refused rather than read as "all defaults". (At start an empty file
 * is a valid all-defaults configuration.)
 */
export class ConfigEmptyError extends HeadroomError {
  readonly file: string;

  constructor(file: string, options?: ErrorOptions) {
    super(
      'HEADROOM_ERR_CONFIG_EMPTY',
      `${file} is empty, likely a partial write; to reset to the defaults on purpose, write {}`,
      options,
    );
    this.file = file;
  }
}

/** Renders issues as `file:line:column path: message`, one per line, as compilers do. */
export function formatIssues(issues: readonly ConfigIssue[]): string {
  const lines = issues.map((issue) => {
    const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
    return `  ${where} ${issue.path || '(root)'}: ${issue.message}`;
  });
  const noun = issues.length === 1 ? 'problem' : 'problems';
  return `invalid configuration (${issues.length} ${noun}):\n${lines.join('\n')}`;
}

/** A listener (OTLP receiver, decision API) could not bind its address. */
export class ListenError extends HeadroomError {
  readonly address: string;

  constructor(what: string, address: string, options?: ErrorOptions) {
    const code = (options?.cause as { code?: unknown } | undefined)?.code;
    const why = typeof code === 'string' ? ` (${code})` : '';
    super('HEADROOM_ERR_COLLECTOR_LISTEN', `cannot listen on ${address} for the ${what}${why}`, options);
    this.address = address;
  }
}

/**
 * An explicit control call got an argument it cannot act on: an unknown degradation level
 * (`override`), an unknown modifier name (`modifiers.set`/`clear`). `argument` names the parameter.
 * Recording paths never throw it.
 */
export class InvalidArgumentError extends HeadroomError {
  readonly argument: string;

  constructor(argument: string, message = `invalid ${argument}`, options?: ErrorOptions) {
    super('HEADROOM_ERR_API_INVALID_ARGUMENT', message, options);
    this.argument = argument;
  }
}

/** `connectDecisions(options)` got options it cannot follow (a URL that is not http(s), no service, ...). */
export class ClientOptionsError extends HeadroomError {
  readonly option: string;

  constructor(option: string, message = `invalid connectDecisions option ${option}`, options?: ErrorOptions) {
    super('HEADROOM_ERR_CLIENT_OPTIONS_INVALID', message, options);
    this.option = option;
  }
}

/**
 * A sliding window (`SlidingWindow`, or the `window` options of a `SeriesRegistry`) got an option
 * it cannot work with: `windowMs`, `resolutionMs` or `maxBins` not a positive integer, a window
 * that is not a whole multiple of its resolution or holds more than 3600 slots, a
 * `relativeAccuracy` outside (0, 1). `option` names it. The configuration schema refuses these
 * before a window is built: code that builds windows itself meets this error.
 */
export class WindowOptionsError extends HeadroomError {
  readonly option: string;

  constructor(option: string, message = `invalid window option ${option}`, options?: ErrorOptions) {
    super('HEADROOM_ERR_WINDOW_OPTIONS_INVALID', message, options);
    this.option = option;
  }
}

/** A `SeriesRegistry` got an option it cannot work with (`maxSeries` not a positive integer). */
export class SeriesOptionsError extends HeadroomError {
  readonly option: string;

  constructor(option: string, message = `invalid series registry option ${option}`, options?: ErrorOptions) {
    super('HEADROOM_ERR_SERIES_OPTIONS_INVALID', message, options);
    this.option = option;
  }
}

/**
 * `CardinalityLimits` (built or reconfigured) got a maximum or `nameLength` that is not a positive
 * integer. `option` names it (`service`, `operation`, ..., `nameLength`).
 */
export class LimitsOptionsError extends HeadroomError {
  readonly option: string;

  constructor(option: string, message = `invalid cardinality limit ${option}`, options?: ErrorOptions) {
    super('HEADROOM_ERR_LIMITS_OPTIONS_INVALID', message, options);
    this.option = option;
  }
}

/** A `HeadroomMetricProducer` got an option it cannot work with (`maxSeries` not a positive integer). */
export class MetricsOptionsError extends HeadroomError {
  readonly option: string;

  constructor(option: string, message = `invalid metric producer option ${option}`, options?: ErrorOptions) {
    super('HEADROOM_ERR_METRICS_OPTIONS_INVALID', message, options);
    this.option = option;
  }
}

/**
 * `registerHeadroomMetrics()` (`headroom-otel/prom-client`): the prom-client registry already has a
 * metric named `metric` (Headroom's metrics were registered there before, or the service uses the
 * name). Nothing was registered.
 */
export class MetricNameTakenError extends HeadroomError {
  /** The metric name the registry already has. */
  readonly metric: string;

  constructor(
    metric: string,
    message = `the registry already has a metric named ${metric}`,
    options?: ErrorOptions,
  ) {
    super('HEADROOM_ERR_METRICS_NAME_TAKEN', message, options);
    this.metric = metric;
  }
}

/**
 * Another process holds the state store's lock (`storage.path`) and did not release it within
 * `storage.lockTimeout`: collector mode exits with it.
 */
export class StoreLockedError extends HeadroomError {
  readonly path: string;

  constructor(path: string, lockTimeoutMs: number, options?: ErrorOptions) {
    super(
      'HEADROOM_ERR_STORE_LOCKED',
      `state store ${path} is locked by another process (waited ${lockTimeoutMs} ms)`,
      options,
    );
    this.path = path;
  }
}

/** `headroom state export` could not read the store at `path` (missing, not a store, newer schema). */
export class StoreReadError extends HeadroomError {
  readonly path: string;

  constructor(path: string, why: string, options?: ErrorOptions) {
    super('HEADROOM_ERR_STORE_READ', `cannot read state store ${path}: ${why}`, options);
    this.path = path;
  }
}

/**
 * `headroom agent` could not open the state store at `path` for writing: the path is a directory
 * or a device, or the file or its directory cannot be created or written (permissions, read-only
 * file system). Nothing is moved aside; collector mode exits with it.
 */
export class StoreOpenError extends HeadroomError {
  readonly path: string;

  constructor(path: string, why: string, options?: ErrorOptions) {
    super('HEADROOM_ERR_STORE_OPEN', `cannot open state store ${path} for writing: ${why}`, options);
    this.path = path;
  }
}

/**
 * `import 'headroom-otel'` ran on a Node.js older than the package supports (`engines.node` of its
 * package.json): thrown while the package is imported, before any of it runs. `version` is the
 * running one (`process.versions.node`); the `headroom` command says the same in one line.
 */
export class UnsupportedNodeError extends HeadroomError {
  readonly version: string;

  constructor(version: string, minimum: string) {
    super(
      'HEADROOM_ERR_NODE_UNSUPPORTED',
      `headroom-otel needs Node.js ${minimum} or later; this is Node.js ${version}`,
    );
    this.version = version;
  }
}
