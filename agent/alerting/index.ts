// Public face of agent/alerting: alert rules evaluated each tick, and the events channels deliver.
export { AlertEvaluator, type AlertEvaluatorOptions } from './alert-evaluator.ts';
export {
  type BurnRateAlertWindows,
  type BurnRateMatch,
  burnRateThreshold,
  MULTI_WINDOW_ALERTS,
  matchBurnRate,
} from './burn-rate-policy.ts';
export { type AlertingHost, type AlertingParts, connectAlerting } from './connect-alerting.ts';
export { canonicalLabels } from './labels.ts';
export type {
  AlertEvent,
  AlertListener,
  AlertSeries,
  AlertSeverity,
  AlertTick,
} from './types.ts';
