// Face of instrumentation/throttle: client-side adaptive throttling of outbound calls.
export { acceptedByDefault } from './call-outcome.ts';
export { ClientThrottle, rejectionProbability } from './client-throttle.ts';
export { ClientThrottles } from './client-throttles.ts';
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
} from './types.ts';
