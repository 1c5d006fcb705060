/**
 * The standard OpenTelemetry environment variables, read as the SDK specification defines them
 * and turned into a config layer that sits under every file: a value a file sets explicitly wins,
 * an OTEL_* variable fills what the files leave out, and the schema's defaults fill the rest.
 * OTEL_SDK_DISABLED is the exception: `true` switches Headroom off whatever the files say, as it
 * switches off the OpenTelemetry SDK.
 */

/** Environment as a plain record, so callers (and tests) pass it in; only config/ reads process.env. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** One layer of raw (unvalidated) config, in the same shape a YAML file has, plus where each value came from. */
export interface EnvLayer {
  readonly value: Record<string, unknown>;
  /** Variable that supplied each dotted path, for error messages (`exporters.otlp.endpoint` -> `OTEL_EXPORTER_OTLP_ENDPOINT`). */
  readonly origins: ReadonlyMap<string, string>;
}

/** The process environment: the one place outside tests where Headroom reads it (the CLI's default). */
export function processEnvironment(): Environment {
  return process.env;
}

/** `OTEL_SDK_DISABLED=true` (case-insensitive, per the spec's boolean rule). */
export function sdkDisabled(env: Environment): boolean {
  return env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true';
}

/** Builds the OTEL_* layer; variables that are unset or empty are ignored, as the spec says. */
export function otelEnvLayer(env: Environment): EnvLayer {
  const value: Record<string, unknown> = {};
  const origins = new Map<string, string>();
  const set = (path: string[], v: unknown, variable: string) => {
    let node = value;
    for (const key of path.slice(0, -1)) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1] as string] = v;
    origins.set(path.join('.'), variable);
  };
  const read = (name: string) => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };

  const resource = parseKeyValueList(read('OTEL_RESOURCE_ATTRIBUTES') ?? '');
  const service = read('OTEL_SERVICE_NAME') ?? resource['service.name'];
  if (service !== undefined) {
    set(
      ['service', 'name'],
      service,
      read('OTEL_SERVICE_NAME') ? 'OTEL_SERVICE_NAME' : 'OTEL_RESOURCE_ATTRIBUTES',
    );
  }
  if (resource['service.namespace'] !== undefined) {
    set(['service', 'namespace'], resource['service.namespace'], 'OTEL_RESOURCE_ATTRIBUTES');
  }
  if (resource['service.version'] !== undefined) {
    set(['service', 'version'], resource['service.version'], 'OTEL_RESOURCE_ATTRIBUTES');
  }
  const others = Object.entries(resource).filter(([key]) => !RESOURCE_SERVICE_KEYS.has(key));
  if (others.length > 0)
    set(['service', 'resourceAttributes'], Object.fromEntries(others), 'OTEL_RESOURCE_ATTRIBUTES');

  const otlp: [string, string[], (raw: string) => unknown][] = [
    ['OTEL_EXPORTER_OTLP_ENDPOINT', ['endpoint'], stripSlash],
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', ['tracesEndpoint'], (raw) => raw],
    ['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', ['metricsEndpoint'], (raw) => raw],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', ['protocol'], (raw) => raw],
    ['OTEL_EXPORTER_OTLP_HEADERS', ['headers'], parseKeyValueList],
    ['OTEL_EXPORTER_OTLP_COMPRESSION', ['compression'], (raw) => raw],
    ['OTEL_EXPORTER_OTLP_TIMEOUT', ['timeout'], (raw) => `${raw}ms`],
  ];
  for (const [name, path, convert] of otlp) {
    const raw = read(name);
    if (raw !== undefined) set(['exporters', 'otlp', ...path], convert(raw), name);
  }
  return { value, origins };
}

const RESOURCE_SERVICE_KEYS = new Set(['service.name', 'service.namespace', 'service.version']);

function stripSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

/**
 * Parses the W3C-baggage-like `key1=value1,key2=value2` lists of OTEL_RESOURCE_ATTRIBUTES and
 * OTEL_EXPORTER_OTLP_HEADERS; values are percent-decoded; malformed pairs are skipped, as the
 * spec allows.
 */
export function parseKeyValueList(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    const key = pair.slice(0, at).trim();
    const raw = pair.slice(at + 1).trim();
    if (key === '') continue;
    try {
      out[key] = decodeURIComponent(raw);
    } catch {
      out[key] = raw;
    }
  }
  return out;
}

/** The values of OTEL_LOG_LEVEL, from quietest to loudest, as the SDK specification lists them. */
export const OTEL_LOG_LEVELS = Object.freeze([
  'none',
  'error',
  'warn',
  'info',
  'debug',
  'verbose',
  'all',
] as const);
/** One of {@link OTEL_LOG_LEVELS}. */
export type OtelLogLevel = (typeof OTEL_LOG_LEVELS)[number];

/**
 * OTEL_LOG_LEVEL, case-insensitive. Unset or empty gives the specification's default, `info`; an
 * unknown value gives `info` too and is returned as `unknown` so the caller can warn about it.
 * @param env @default the process environment
 * @example otelLogLevel({ OTEL_LOG_LEVEL: 'DEBUG' }) // { level: 'debug', unknown: undefined }
 */
export function otelLogLevel(env: Environment = process.env): {
  readonly level: OtelLogLevel;
  readonly unknown: string | undefined;
} {
  const raw = env.OTEL_LOG_LEVEL?.trim() ?? '';
  if (raw === '') return { level: 'info', unknown: undefined };
  const level = OTEL_LOG_LEVELS.find((name) => name === raw.toLowerCase());
  return level === undefined ? { level: 'info', unknown: raw } : { level, unknown: undefined };
}
