// Face of instrumentation/ for the other folders; the package root (index.ts) picks the public API.
export {
  ATTR_BUDGET_CONTEXT,
  ATTR_BUDGET_MS,
  ATTR_DEGRADATION_LEVEL,
  ATTR_OPERATION,
  ATTR_PHASE,
} from '../agent/index.ts';
export { DECISION_SPAN, decisionAttributes } from './decision-spans.ts';
export { type EmbeddedHeadroom, TRACER_NAME } from './headroom.ts';
export type { Operation } from './operation-handle.ts';
export {
  type BackoffOptions,
  type ConnectDecisionsOptions,
  connectDecisions,
  type RemoteDecisions,
  type RemoteDecisionsState,
} from './remote/index.ts';
export { createTracerProvider, serviceResource, UNKNOWN_SERVICE } from './sdk.ts';
export {
  BUDGET_EXCEEDED_EVENT,
  HeadroomSpanProcessor,
  type HeadroomSpanProcessorOptions,
} from './span-processor.ts';
export { type InstrumentationOptions, startInstrumentation } from './start-instrumentation.ts';
export type { BudgetModifiers, Headroom, MetricsEndpoint } from './types.ts';
