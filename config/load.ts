/**
 * Resolves Headroom's configuration: YAML files (later ones win) over the OTEL_* environment
 * layer over the schema's defaults, with `${NAME}` substitution, validated in one pass so that
 * every problem is reported at once, then deep-frozen.
 */
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { ConfigEmptyError, ConfigInvalidError, type ConfigIssue, ConfigReadError } from '../errors.ts';
import { type DeepReadonly, deepFreeze } from './deep-freeze.ts';
import { type Environment, otelEnvLayer, sdkDisabled } from './otel-env.ts';
import { configSchema, type HeadroomConfig } from './schema.ts';
import { validateSources } from './validate.ts';

/** The resolved configuration every component receives: validated, defaulted, frozen. */
export type ResolvedConfig = DeepReadonly<HeadroomConfig>;

/** A configuration source: a file name (for messages) and its YAML text. */
export interface ConfigSource {
  readonly file: string;
  readonly text: string;
}

export interface LoadConfigOptions {
  /** YAML files, lowest precedence first: later files win key by key. @default HEADROOM_CONFIG, comma-separated */
  readonly files?: readonly string[];
  /** Environment for `${NAME}` substitution and OTEL_* variables. @default process.env */
  readonly env?: Environment;
  /**
   * Refuse a file that is empty or only whitespace, as a reload should (a likely partial write);
   * `{}` is the way to ask for all defaults then. At start an empty file means all defaults.
   * @default false
   */
  readonly refuseEmpty?: boolean;
}

const ENV_SOURCE = '<environment>';

/**
 * Reads and validates configuration files.
 * @throws {ConfigReadError} when a file cannot be read
 * @throws {ConfigInvalidError} listing every problem, each with its file, YAML path, line and column
 * @throws {ConfigEmptyError} with `refuseEmpty`, when a file is empty or only whitespace
 * @example
 * const config = loadConfig({ files: ['headroom.yaml'] });
 * config.contexts.emergency.budgetMs; // 50
 */
export function loadConfig(options: LoadConfigOptions = {}): ResolvedConfig {
  const env = options.env ?? process.env;
  const sources = readConfigSources(options.files, env);
  const empty =
    options.refuseEmpty === true ? sources.find((source) => source.text.trim() === '') : undefined;
  if (empty !== undefined) throw new ConfigEmptyError(empty.file);
  return parseConfig(sources, env);
}

/**
 * Reads configuration files: the given ones, else those listed in HEADROOM_CONFIG
 * (comma-separated), else none.
 * @throws {ConfigReadError} when a file cannot be read
 */
export function readConfigSources(
  files: readonly string[] | undefined,
  env: Environment = process.env,
): ConfigSource[] {
  const names =
    files ??
    (env.HEADROOM_CONFIG ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '');
  return names.map((file) => ({ file, text: readSource(file) }));
}

/** Validates YAML texts already in memory; see {@link loadConfig}. */
export function parseConfig(
  sources: readonly ConfigSource[],
  env: Environment = process.env,
): ResolvedConfig {
  const layer = otelEnvLayer(env);
  // Values from the environment are data, not templates: `$` is escaped so substitution leaves it.
  const envSource: ConfigSource = { file: ENV_SOURCE, text: stringify(escapeDollars(layer.value)) };
  const result = validateSources([envSource, ...sources], configSchema, env);
  if (!result.ok) {
    throw new ConfigInvalidError(result.issues.map((issue) => attributeToVariable(issue, layer.origins)));
  }
  const config = result.value as HeadroomConfig;
  return deepFreeze(sdkDisabled(env) ? { ...config, enabled: false } : config);
}

/** Issues in the environment layer name the variable that supplied the value, not a line. */
function attributeToVariable(issue: ConfigIssue, origins: ReadonlyMap<string, string>): ConfigIssue {
  if (issue.file !== ENV_SOURCE) return issue;
  let variable: string | undefined;
  for (const [path, name] of origins) {
    if (issue.path === path || issue.path.startsWith(`${path}.`)) variable = name;
  }
  return {
    file: variable === undefined ? ENV_SOURCE : `<env ${variable}>`,
    path: issue.path,
    message: issue.message,
  };
}

function escapeDollars(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('$', '$$$$');
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, escapeDollars(child)]));
}

function readSource(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigReadError(file, { cause: error });
  }
}
