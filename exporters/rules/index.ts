// Public face of exporters/rules: Prometheus recording and alerting rules generated from the config.
export {
  BURN_RATE_WINDOWS,
  burnRateFactor,
} from './burn-rate-windows.ts';
export { generateRules, stringifyRules } from './generate-rules.ts';
