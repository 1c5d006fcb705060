import { diag, type Tracer } from '@opentelemetry/api';
import type { DegradationDecision, DegradationManager } from '../agent/index.ts';

/** Span name of the short span that carries each degradation decision as an event. */
export const DECISION_SPAN = 'headroom.degradation';

/**
 * Makes each degradation decision visible in traces: a short span with one
 * `headroom.degradation.decision` event holding from, to, reason and the evidence.
 */
export function traceDecisions(manager: DegradationManager, tracer: Tracer): () => void {
  return manager.subscribe((decision) => {
    try {
      const span = tracer.startSpan(DECISION_SPAN, {
        attributes: { 'headroom.degradation.level': decision.to },
      });
      span.addEvent('headroom.degradation.decision', decisionAttributes(decision));
      span.end();
    } catch (error) {
      diag.error('headroom: could not trace a decision', error);
    }
  });
}

/** A decision as span/event attributes. */
export function decisionAttributes(
  decision: DegradationDecision,
): Record<string, string | number | string[]> {
  const attributes: Record<string, string | number | string[]> = {
    'headroom.degradation.from': decision.from,
    'headroom.degradation.to': decision.to,
    'headroom.degradation.reason': decision.reason,
    'headroom.degradation.message': decision.message,
    'headroom.degradation.disabled_features': [...decision.disabledFeatures],
  };
  const evidence = decision.evidence;
  if (evidence !== undefined) {
    attributes['headroom.operation'] = evidence.series.operation;
    attributes['headroom.budget.context'] = evidence.series.context;
    attributes['headroom.budget.percentile'] = evidence.percentile;
    attributes['headroom.budget.observed_ms'] = evidence.observedMs;
    attributes['headroom.budget.ms'] = evidence.budgetMs;
    attributes['headroom.budget.ratio'] = evidence.ratio;
  }
  return attributes;
}
