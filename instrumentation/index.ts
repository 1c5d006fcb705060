// Public face of instrumentation/: what a service imports.
export {
  ATTR_BUDGET_CONTEXT,
  ATTR_BUDGET_MS,
  ATTR_DEGRADATION_LEVEL,
  ATTR_OPERATION,
  ATTR_PHASE,
} from '../agent/index.ts';
export { DECISION_SPAN, decisionAttributes } from './decision-spans.ts';
export { Headroom, type MetricsEndpoint, TRACER_NAME } from './headroom.ts';
export type { Operation } from './operation-handle.ts';
export {
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
export { resolveStartConfig, type StartOptions, start } from './start.ts';
