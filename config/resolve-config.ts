/**
 * The configuration `start()` runs with, from its options: an already resolved configuration, or
 * YAML files (later ones win) with inline configuration applied over them, and the environment.
 */
import { stringify } from 'yaml';
import {
  type ConfigSource,
  loadConfig,
  parseConfig,
  type ResolvedConfig,
  readConfigSources,
} from './load.ts';
import type { Environment } from './otel-env.ts';
import type { HeadroomConfigInput } from './schema.ts';

/** Where a configuration comes from (the configuration half of `start()`'s options). */
export interface ConfigOptions {
  /** YAML files, later ones win. @default the files in HEADROOM_CONFIG (comma-separated), else none */
  readonly configFiles?: readonly string[];
  /** Configuration written inline, as in YAML (`budget: '50ms'`); applied over the files. */
  readonly config?: HeadroomConfigInput;
  /** An already resolved configuration (from `loadConfig`); files, `config` and `env` are then ignored. */
  readonly resolvedConfig?: ResolvedConfig;
  /** Environment for `${NAME}` and OTEL_* variables. @default process.env */
  readonly env?: Environment;
}

/**
 * Resolves the configuration {@link ConfigOptions} describe.
 * @throws {ConfigReadError} `HEADROOM_ERR_CONFIG_READ` when a file cannot be read
 * @throws {ConfigInvalidError} `HEADROOM_ERR_CONFIG_INVALID` listing every problem
 */
export function resolveConfig(options: ConfigOptions): ResolvedConfig {
  if (options.resolvedConfig !== undefined) return options.resolvedConfig;
  // loadConfig and readConfigSources fall back to the process environment when `env` is not given.
  const env = options.env;
  if (options.config === undefined) return loadConfig({ files: options.configFiles, env });
  const files = readConfigSources(options.configFiles, env);
  const inline: ConfigSource = { file: '<start options>', text: stringify(options.config) };
  return parseConfig([...files, inline], env);
}
