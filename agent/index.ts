// Public face of agent/: the embedded agent and the parts services and exporters see.

export {
  ADMISSION_REJECTED,
  type AdmissionDecision,
  type AdmissionListener,
  type AdmissionResult,
  type AdmissionState,
  type Admitted,
  ATTR_ADMISSION_OUTCOME,
  ATTR_CRITICALITY,
  type ClassAdmission,
  CRITICALITIES,
  CRITICALITY_BAGGAGE_KEY,
  type Criticality,
  DEFAULT_CRITICALITY,
  isCriticality,
  lowerCriticality,
  type Rejected,
  type RejectionReason,
} from './admission/index.ts';
export {
  Agent,
  type AgentOptions,
  type TickResult,
} from './agent.ts';
export {
  AlertEvaluator,
  type AlertEvent,
  type AlertListener,
  burnRateThreshold,
  connectAlerting,
  MULTI_WINDOW_ALERTS,
} from './alerting/index.ts';
export {
  DEFAULT_RETRY_POLICY,
  ExponentialBackoff,
  type RetryPolicy,
} from './backoff.ts';
export { configuredBudgetsMs } from './budget/configured-budgets.ts';
export { exactMs, msToSeconds, shareOfMs } from './budget/exact-decimal.ts';
export type { SeriesTarget } from './budget/series-targets.ts';
export type { SeriesKey, Verdict, VerdictStatus } from './budget/types.ts';
export { type Clock, ManualClock, sleep, systemClock, type TimerHandle } from './clock.ts';
export {
  type Channel,
  ClusterHub,
  type ClusterStats,
  type FollowedLoad,
  Outbox,
  WorkerLink,
} from './cluster/index.ts';
export {
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
  DIMENSIONS,
  type DimensionCounts,
  OVERFLOW,
  truncate,
} from './limits/index.ts';
export {
  type LoadSampler,
  type LoadSignals,
  nodeLoadSampler,
} from './load/index.ts';
export type { Recorder, SeriesHandle, SeriesNames } from './recorder.ts';
export {
  admissionRejected,
  classifySpan,
  type MatchableSpan,
  RuleMatcher,
  SpanCriticality,
} from './rules/index.ts';
export {
  ADMISSION_DECISION_EVENT,
  ADMISSION_SPAN,
  ATTR_ADMISSION_FLOW_ADMITTED,
  ATTR_ADMISSION_FLOW_FINISHED,
  ATTR_ADMISSION_FLOW_READING,
  ATTR_ADMISSION_FLOW_WAITING,
  ATTR_ADMISSION_FLOW_WINDOW,
  ATTR_ADMISSION_FROM,
  ATTR_ADMISSION_MESSAGE,
  ATTR_ADMISSION_PROTECTED_CRITICALITY,
  ATTR_ADMISSION_REASON,
  ATTR_ADMISSION_SAMPLE_COUNT,
  ATTR_ADMISSION_THRESHOLD_RATIO,
  ATTR_ADMISSION_TO,
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
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_HTTP_STATUS_CLASS,
  ATTR_OPERATION,
  ATTR_PHASE,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_NAMESPACE,
  ATTR_SERVICE_VERSION,
  ATTR_URL_PATH,
  BUDGET_EXCEEDED_EVENT,
  DECISION_SPAN,
  DEGRADATION_DECISION_EVENT,
  HEADROOM_SCOPE,
  SDK_CHECK_SPAN,
} from './semconv.ts';
export {
  type EvictionSource,
  releaseOnEviction,
  SeriesHandles,
  type ServiceHandles,
} from './series-handles.ts';
export {
  formatService,
  NAMESPACE_LABEL,
  type ServiceId,
  sameService,
  serviceId,
  serviceKey,
  serviceLabels,
} from './service-id.ts';
export { BURN_WINDOWS_MS, type SloEvents, type SloStatus, SloTracker } from './slo/index.ts';
export type {
  Checkpoint,
  QueuedRequest,
  RequestQueueStore,
  StateStore,
  StoredRecord,
  StoredRequest,
} from './storage/types.ts';
export {
  DEFAULT_BOUNDS_MS,
  histogramBounds,
  OVERFLOW_OPERATION,
  PERCENTILES,
  type Percentile,
  percentileValue,
  type Series,
  type WindowSnapshot,
} from './window/index.ts';
