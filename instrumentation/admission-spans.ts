/**
 * Makes each admission decision visible in traces, as instrumentation/decision-spans.ts does for
 * degradation decisions: a short `headroom.admission` span with one `headroom.admission.decision`
 * event holding the class, the probability before and after, the reason and the evidence.
 */
import { diag, type Tracer } from '@opentelemetry/api';
import {
  ADMISSION_DECISION_EVENT,
  ADMISSION_SPAN,
  type AdmissionDecision,
  type AdmissionListener,
  ATTR_ADMISSION_FLOW_ADMITTED,
  ATTR_ADMISSION_FLOW_FINISHED,
  ATTR_ADMISSION_FLOW_READING,
  ATTR_ADMISSION_FLOW_WAITING,
  ATTR_ADMISSION_FLOW_WINDOW,
  ATTR_ADMISSION_FROM,
  ATTR_ADMISSION_MESSAGE,
  ATTR_ADMISSION_PROTECTED_CRITICALITY,
  ATTR_ADMISSION_REASON,
  ATTR_ADMISSION_SAMPLE_COUNT,
  ATTR_ADMISSION_THRESHOLD_RATIO,
  ATTR_ADMISSION_TO,
  ATTR_BUDGET_PERCENTILE,
  ATTR_BUDGET_RATIO,
  ATTR_CRITICALITY,
  ATTR_DEGRADATION_LEVEL,
} from '../agent/index.ts';

/**
 * Starts one span per admission decision `subscribe` delivers (e.g. `agent.onAdmissionDecision`);
 * returns the unsubscribe function. A failure to trace is logged, never thrown into the agent.
 */
export function traceAdmissionDecisions(
  subscribe: (listener: AdmissionListener) => () => void,
  tracer: Tracer,
): () => void {
  return subscribe((decision) => {
    try {
      const span = tracer.startSpan(ADMISSION_SPAN, {
        attributes: { [ATTR_CRITICALITY]: decision.criticality, [ATTR_ADMISSION_TO]: decision.to },
      });
      span.addEvent(ADMISSION_DECISION_EVENT, admissionDecisionAttributes(decision));
      span.end();
    } catch (error) {
      diag.error('headroom: could not trace an admission decision', error);
    }
  });
}

/**
 * An admission decision as event attributes: `headroom.criticality` (the class whose probability
 * changed), `headroom.admission.from`/`to` (0..1), reason, message, the degradation level in force
 * and the evidence it has: the latency (the protected class, its percentile, its ratio to the
 * budget, the threshold compared with and its sample count) and the flow (admitted, finished,
 * waiting, the window in ms and what the flow reads: review15g M3).
 */
export function admissionDecisionAttributes(decision: AdmissionDecision): Record<string, string | number> {
  const attributes: Record<string, string | number> = {
    [ATTR_CRITICALITY]: decision.criticality,
    [ATTR_ADMISSION_FROM]: decision.from,
    [ATTR_ADMISSION_TO]: decision.to,
    [ATTR_ADMISSION_REASON]: decision.reason,
    [ATTR_ADMISSION_MESSAGE]: decision.message,
    [ATTR_DEGRADATION_LEVEL]: decision.level,
  };
  const evidence = decision.evidence ?? {};
  const { flow } = evidence;
  const values: Record<string, string | number | undefined> = {
    [ATTR_ADMISSION_PROTECTED_CRITICALITY]: evidence.criticality,
    [ATTR_BUDGET_PERCENTILE]: evidence.percentile,
    [ATTR_BUDGET_RATIO]: evidence.ratio,
    [ATTR_ADMISSION_THRESHOLD_RATIO]: evidence.thresholdRatio,
    [ATTR_ADMISSION_SAMPLE_COUNT]: evidence.samples,
    [ATTR_ADMISSION_FLOW_ADMITTED]: flow?.admitted,
    [ATTR_ADMISSION_FLOW_FINISHED]: flow?.finished,
    [ATTR_ADMISSION_FLOW_WAITING]: flow?.waiting,
    [ATTR_ADMISSION_FLOW_WINDOW]: flow?.windowMs,
    [ATTR_ADMISSION_FLOW_READING]: flow?.reading,
  };
  for (const [key, value] of Object.entries(values)) if (value !== undefined) attributes[key] = value;
  return attributes;
}
