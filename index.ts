/**
 * Headroom: an OpenTelemetry-native latency-budget agent for Node.js services.
 * @packageDocumentation
 */
export {
  type ConfigSource,
  type HeadroomConfig,
  type HeadroomConfigInput,
  jsonSchema,
  type LoadConfigOptions,
  loadConfig,
  parseConfig,
  type ResolvedConfig,
} from './config/index.ts';
export { ConfigInvalidError, type ConfigIssue, ConfigReadError, HeadroomError } from './errors.ts';
