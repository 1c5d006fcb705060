/**
 * Configuration: YAML -> environment -> zod schema -> deep-frozen typed config.
 * @example
 * import { loadConfig } from 'headroom-otel';
 * const config = loadConfig({ files: ['headroom.yaml'] });
 */
export { type DeepReadonly, deepFreeze } from './deep-freeze.ts';
export { didYouMean } from './did-you-mean.ts';
export { jsonSchema } from './json-schema.ts';
export {
  type ConfigSource,
  type LoadConfigOptions,
  loadConfig,
  parseConfig,
  type ResolvedConfig,
  readConfigSources,
} from './load.ts';
export type {
  ContextName,
  FeatureName,
  HeadroomNames,
  ModifierName,
  OperationContext,
  PhaseName,
} from './names.ts';
export {
  type Environment,
  OTEL_LOG_LEVELS,
  type OtelLogLevel,
  otelLogLevel,
  parseKeyValueList,
  processEnvironment,
  sdkDisabled,
} from './otel-env.ts';
export { type ConfigOptions, resolveConfig } from './resolve-config.ts';
export { CRITICALITIES } from './schema/admission.ts';
export { DEGRADATION_LEVEL_KEYS } from './schema/degradation.ts';
export { type TrustedPeers, trustedPeers } from './schema/trusted-peers.ts';
export { formatDuration, formatMs, PERCENTILES, parseDurationMs } from './schema/units.ts';
export { configSchema, type HeadroomConfig, type HeadroomConfigInput } from './schema.ts';
