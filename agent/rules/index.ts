// Public face of agent/rules: how finished spans are mapped to series.
export { type MatchableSpan, RuleMatcher } from './rule-matcher.ts';
export { classifySpan } from './span-classifier.ts';
export { admissionRejected, SpanCriticality } from './span-criticality.ts';
