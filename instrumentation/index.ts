// Face of instrumentation/ for the other folders; the package root (index.ts) picks the public API.
export {
  ATTR_BUDGET_CONTEXT,
  ATTR_BUDGET_MS,
  ATTR_DEGRADATION_LEVEL,
  ATTR_OPERATION,
  ATTR_PHASE,
  BUDGET_EXCEEDED_EVENT,
  DECISION_SPAN,
  HEADROOM_SCOPE,
} from '../agent/index.ts';
export { criticalityPropagator } from './criticality/criticality-propagator.ts';
export { decisionAttributes } from './decision-spans.ts';
export type { EmbeddedHeadroom } from './headroom.ts';
export type { Operation } from './operation-handle.ts';
export {
  type BackoffOptions,
  type ConnectDecisionsOptions,
  connectDecisions,
  type RemoteAdmissionState,
  type RemoteDecisions,
  type RemoteDecisionsState,
  SseParser,
} from './remote/index.ts';
export { createTracerProvider, serviceResource, UNKNOWN_SERVICE } from './sdk.ts';
export { HeadroomSpanProcessor, type HeadroomSpanProcessorOptions } from './span-processor.ts';
export {
  type AgentRole,
  type InstrumentationOptions,
  startInstrumentation,
} from './start-instrumentation.ts';
export type {
  CallOptions,
  CallOutcome,
  RunOptions,
  Throttle,
  ThrottleAllowed,
  ThrottleDecision,
  Throttled,
  ThrottleOptions,
  ThrottleRunResult,
  ThrottleSent,
} from './throttle/index.ts';
export type { BudgetModifiers, Headroom, MetricsEndpoint } from './types.ts';
