/**
 * Headroom: an OpenTelemetry-native latency-budget agent for Node.js services. This is the whole
 * public API (docs/api.md documents every symbol; a test holds the two together): `start()` and
 * the `Headroom` it returns, `connectDecisions()` for a service judged by collector mode, config
 * loading, and the errors they throw. Everything else is internal and may change in any release.
 * @example
 * import { start } from 'headroom-otel';
 * const headroom = start({ configFiles: ['headroom.yaml'] });
 * await headroom.track('checkout', 'emergency', async (op) => checkout({ signal: op.signal }));
 * @packageDocumentation
 */
// First: on an unsupported Node.js the import stops here with HEADROOM_ERR_NODE_UNSUPPORTED.
import './node-version.ts';

export {
  ADMISSION_REJECTED,
  type AdmissionResult,
  type Admitted,
  CRITICALITIES,
  CRITICALITY_BAGGAGE_KEY,
  type Criticality,
  DEGRADATION_LEVELS,
  type DecisionActions,
  type DecisionEvidence,
  type DecisionListener,
  type DegradationDecision,
  type DegradationLevel,
  type DegradationReason,
  type FeatureFlags,
  type OverrideOptions,
  type Percentile,
  type ReadonlyAuditLog,
  type Rejected,
  type RejectionReason,
  type SeriesKey,
  type TickResult,
  type Verdict,
  type VerdictStatus,
} from './agent/index.ts';
export { type StartOptions, start } from './app/index.ts';
export {
  type ConfigSource,
  type ContextName,
  type Environment,
  type FeatureName,
  type HeadroomConfig,
  type HeadroomConfigInput,
  type HeadroomNames,
  jsonSchema,
  type LoadConfigOptions,
  loadConfig,
  type ModifierName,
  type PhaseName,
  parseConfig,
  type ResolvedConfig,
} from './config/index.ts';
export {
  ClientOptionsError,
  ConfigEmptyError,
  ConfigInvalidError,
  type ConfigIssue,
  ConfigReadError,
  HeadroomError,
  InvalidArgumentError,
} from './errors.ts';
export {
  type BackoffOptions,
  type BudgetModifiers,
  type CallOptions,
  type CallOutcome,
  type ConnectDecisionsOptions,
  connectDecisions,
  criticalityPropagator,
  type Headroom,
  type MetricsEndpoint,
  type Operation,
  type RemoteAdmissionState,
  type RemoteDecisions,
  type RemoteDecisionsState,
  type RunOptions,
  type Throttle,
  type ThrottleAllowed,
  type ThrottleDecision,
  type Throttled,
  type ThrottleOptions,
  type ThrottleRunResult,
  type ThrottleSent,
} from './instrumentation/index.ts';
