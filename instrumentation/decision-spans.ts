import { diag, type Tracer } from '@opentelemetry/api';
import {
  ATTR_BUDGET_CONTEXT,
  ATTR_BUDGET_MS,
  ATTR_BUDGET_OBSERVED_MS,
  ATTR_BUDGET_PERCENTILE,
  ATTR_BUDGET_RATIO,
  ATTR_DEGRADATION_DISABLED_FEATURES,
  ATTR_DEGRADATION_FROM,
  ATTR_DEGRADATION_LEVEL,
  ATTR_DEGRADATION_MESSAGE,
  ATTR_DEGRADATION_REASON,
  ATTR_DEGRADATION_TO,
  ATTR_OPERATION,
  DECISION_SPAN,
  DEGRADATION_DECISION_EVENT,
  type DegradationDecision,
  type DegradationManager,
} from '../agent/index.ts';

/**
 * Makes each degradation decision visible in traces: a short span with one
 * `headroom.degradation.decision` event holding from, to, reason and the evidence.
 */
export function traceDecisions(manager: DegradationManager, tracer: Tracer): () => void {
  return manager.subscribe((decision) => {
    try {
      const span = tracer.startSpan(DECISION_SPAN, {
        attributes: { [ATTR_DEGRADATION_LEVEL]: decision.to },
      });
      span.addEvent(DEGRADATION_DECISION_EVENT, decisionAttributes(decision));
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
    [ATTR_DEGRADATION_FROM]: decision.from,
    [ATTR_DEGRADATION_TO]: decision.to,
    [ATTR_DEGRADATION_REASON]: decision.reason,
    [ATTR_DEGRADATION_MESSAGE]: decision.message,
    [ATTR_DEGRADATION_DISABLED_FEATURES]: [...decision.disabledFeatures],
  };
  const evidence = decision.evidence;
  if (evidence !== undefined) {
    attributes[ATTR_OPERATION] = evidence.series.operation;
    attributes[ATTR_BUDGET_CONTEXT] = evidence.series.context;
    attributes[ATTR_BUDGET_PERCENTILE] = evidence.percentile;
    attributes[ATTR_BUDGET_OBSERVED_MS] = evidence.observedMs;
    attributes[ATTR_BUDGET_MS] = evidence.budgetMs;
    attributes[ATTR_BUDGET_RATIO] = evidence.ratio;
  }
  return attributes;
}
