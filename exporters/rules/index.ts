// Public face of exporters/rules: Prometheus recording and alerting rules generated from the config.
export {
  BURN_RATE_WINDOWS,
  type BurnRateWindow,
  type BurnSeverity,
  burnRateFactor,
} from './burn-rate-windows.ts';
export { generateRules, stringifyRules } from './generate-rules.ts';
export type { AlertingRule, RecordingRule, RuleFile, RuleGroup } from './types.ts';
