/**
 * Headroom: an OpenTelemetry-native latency-budget agent for Node.js services.
 * @example
 * import { start } from 'headroom-otel';
 * const headroom = start({ configFiles: ['headroom.yaml'] });
 * await headroom.track('checkout', 'emergency', async (op) => checkout({ signal: op.signal }));
 * @packageDocumentation
 */
export {
  DEGRADATION_LEVELS,
  type DegradationDecision,
  type DegradationLevel,
  type FeatureFlags,
  type Verdict,
} from './agent/index.ts';
export { start } from './app/index.ts';
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
export {
  ClientOptionsError,
  ConfigInvalidError,
  type ConfigIssue,
  ConfigReadError,
  HeadroomError,
  InvalidArgumentError,
} from './errors.ts';
export {
  type ConnectDecisionsOptions,
  connectDecisions,
  Headroom,
  type MetricsEndpoint,
  type Operation,
  type RemoteDecisions,
  type RemoteDecisionsState,
  type StartOptions,
} from './instrumentation/index.ts';
