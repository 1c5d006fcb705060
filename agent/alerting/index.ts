// Public face of agent/alerting: alert rules evaluated each tick, and the events channels deliver.
export { AlertEvaluator } from './alert-evaluator.ts';
export {
  burnRateThreshold,
  MULTI_WINDOW_ALERTS,
  matchBurnRate,
} from './burn-rate-policy.ts';
export { connectAlerting } from './connect-alerting.ts';
export { canonicalLabels } from './labels.ts';
export type {
  AlertEvent,
  AlertListener,
} from './types.ts';
