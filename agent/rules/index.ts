// Public face of agent/rules: how finished spans are mapped to series.
export {
  ATTR_BUDGET_CONTEXT,
  ATTR_BUDGET_MS,
  ATTR_DEGRADATION_LEVEL,
  ATTR_OPERATION,
  ATTR_PHASE,
  HEADROOM_SCOPE,
} from './attributes.ts';
export { type MatchableSpan, type RuleMatch, RuleMatcher } from './rule-matcher.ts';
export { classifySpan, type SpanTarget } from './span-classifier.ts';
