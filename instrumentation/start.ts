import type { Sampler, SpanProcessor } from '@opentelemetry/sdk-trace';
import { stringify } from 'yaml';
import { Agent, type Clock, type LoadSampler } from '../agent/index.ts';
import {
  type ConfigSource,
  type Environment,
  type HeadroomConfigInput,
  loadConfig,
  parseConfig,
  type ResolvedConfig,
  readConfigSources,
} from '../config/index.ts';
import { type Headroom, wireHeadroom } from './headroom.ts';

export interface StartOptions {
  /**
   * YAML files, later ones win. @default the files in HEADROOM_CONFIG (comma-separated), else none
   */
  readonly configFiles?: readonly string[];
  /** Configuration written inline, as in YAML (`budget: '50ms'`); applied over the files. */
  readonly config?: HeadroomConfigInput;
  /** An already resolved configuration (from `loadConfig`); files, `config` and `env` are then ignored. */
  readonly resolvedConfig?: ResolvedConfig;
  /** Environment for `${NAME}` and OTEL_* variables. @default process.env */
  readonly env?: Environment;
  /**
   * 'own' (default): Headroom creates the TracerProvider and registers it globally.
   * 'external': you set up the SDK and add `headroom.spanProcessor` (and an always-record sampler).
   */
  readonly sdk?: 'own' | 'external';
  /** More span processors (exporters) for the provider Headroom creates. */
  readonly spanProcessors?: readonly SpanProcessor[];
  /** Sampler deciding what is exported; every span is still recorded and counted. */
  readonly sampler?: Sampler;
  /** Register the provider, context manager and propagator globally. @default true */
  readonly registerGlobal?: boolean;
  /** Time source, for tests. @default the system clock */
  readonly clock?: Clock;
  /**
   * Event-loop and CPU signals, for tests. Headroom never closes a sampler given here (reloads
   * keep sampling it); its creator does. @default Node's perf_hooks and process.cpuUsage
   */
  readonly loadSampler?: LoadSampler;
}

/**
 * Starts embedded Headroom: loads and validates the configuration (throwing
 * `HEADROOM_ERR_CONFIG_INVALID` with every problem), sets up OpenTelemetry, starts the agent.
 * @example
 * import { start } from 'headroom-otel';
 * const headroom = start({ configFiles: ['headroom.yaml'] });
 * await headroom.track('checkout', 'emergency', async (op) => checkout(op.signal));
 * if (headroom.features.enabled('recommendations')) addRecommendations();
 */
export function start(options: StartOptions = {}): Headroom {
  const config = resolveStartConfig(options);
  const agent = new Agent({ config, clock: options.clock, loadSampler: options.loadSampler });
  const headroom = wireHeadroom({
    agent,
    sdk: config.enabled ? (options.sdk ?? 'own') : 'disabled',
    spanProcessors: [...(options.spanProcessors ?? [])],
    sampler: options.sampler,
    registerGlobal: options.registerGlobal ?? true,
  });
  if (config.enabled) agent.start();
  return headroom;
}

/** The configuration `start()` runs with: resolved, or loaded from files, inline config and environment. */
export function resolveStartConfig(options: StartOptions): ResolvedConfig {
  if (options.resolvedConfig !== undefined) return options.resolvedConfig;
  // config/ falls back to the process environment when `env` is not given.
  const env = options.env;
  if (options.config === undefined) return loadConfig({ files: options.configFiles, env });
  const files = readConfigSources(options.configFiles, env);
  const inline: ConfigSource = { file: '<start options>', text: stringify(options.config) };
  return parseConfig([...files, inline], env);
}
