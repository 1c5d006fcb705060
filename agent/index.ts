// Public face of agent/: the embedded agent and the parts services and exporters see.
export {
  Agent,
  type AgentOptions,
  type EvictionListener,
  type TickListener,
  type TickResult,
} from './agent.ts';
export type { AgentHealth } from './agent-health.ts';
export {
  AlertEvaluator,
  type AlertEvent,
  type AlertListener,
  type AlertSeverity,
  connectAlerting,
} from './alerting/index.ts';
export {
  DEFAULT_RETRY_POLICY,
  ExponentialBackoff,
  RANDOMIZATION_FACTOR,
  type RetryPolicy,
} from './backoff.ts';
export { type BudgetResolution, BudgetResolver } from './budget/budget-resolver.ts';
export { configuredBudgetsMs } from './budget/configured-budgets.ts';
export { Evaluator } from './budget/evaluator.ts';
export { exactMs, msToSeconds, shareOfMs } from './budget/exact-decimal.ts';
export { ModifierSet } from './budget/modifiers.ts';
export { type SeriesTarget, SeriesTargets } from './budget/series-targets.ts';
export type { SeriesKey, Verdict, VerdictStatus } from './budget/types.ts';
export { type Clock, ManualClock, sleep, systemClock, type TimerHandle } from './clock.ts';
export {
  AuditLog,
  DEGRADATION_LEVELS,
  type DecisionActions,
  type DecisionEvidence,
  type DecisionListener,
  type DegradationDecision,
  type DegradationLevel,
  DegradationManager,
  type DegradationReason,
  type DegradationState,
  type FeatureFlags,
  isDegradationLevel,
  type OverrideOptions,
  type ReadonlyAuditLog,
  unknownLevelMessage,
} from './degradation/index.ts';
export {
  CardinalityLimits,
  type CardinalityLimitsOptions,
  DIMENSIONS,
  type Dimension,
  type DimensionCounts,
  limitsOf,
  OVERFLOW,
  truncate,
} from './limits/index.ts';
export {
  LoadMonitor,
  type LoadSampler,
  type LoadSignals,
  type LoadState,
  nodeLoadSampler,
} from './load/index.ts';
export type { Recorder, SeriesHandle, SeriesNames } from './recorder.ts';
export {
  classifySpan,
  type MatchableSpan,
  type RuleMatch,
  RuleMatcher,
} from './rules/index.ts';
export {
  ATTR_BUDGET_CONTEXT,
  ATTR_BUDGET_MS,
  ATTR_BUDGET_OBSERVED_MS,
  ATTR_BUDGET_PERCENTILE,
  ATTR_BUDGET_RATIO,
  ATTR_DEGRADATION_DISABLED_FEATURES,
  ATTR_DEGRADATION_FROM,
  ATTR_DEGRADATION_LEVEL,
  ATTR_DEGRADATION_MESSAGE,
  ATTR_DEGRADATION_REASON,
  ATTR_DEGRADATION_TO,
  ATTR_DURATION_MS,
  ATTR_OPERATION,
  ATTR_PHASE,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_NAMESPACE,
  ATTR_SERVICE_VERSION,
  BUDGET_EXCEEDED_EVENT,
  DECISION_SPAN,
  DEGRADATION_DECISION_EVENT,
  HEADROOM_SCOPE,
} from './semconv.ts';
export { SeriesHandles, type SeriesHandlesOptions, type ServiceHandles } from './series-handles.ts';
export {
  formatService,
  NAMESPACE_LABEL,
  type ServiceId,
  sameService,
  serviceId,
  serviceKey,
  serviceLabels,
} from './service-id.ts';
export type { ServiceActivity } from './service-sweep.ts';
export { type SloEvents, type SloStatus, SloTracker } from './slo/index.ts';
export {
  DEFAULT_BOUNDS_MS,
  histogramBounds,
  OVERFLOW_OPERATION,
  PERCENTILES,
  type Percentile,
  percentileValue,
  type Series,
  SeriesRegistry,
  SeriesTotals,
  type WindowSnapshot,
} from './window/index.ts';
