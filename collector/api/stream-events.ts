/**
 * The events of the decision stream as text on the wire: `agent` (who is speaking), `state` (a
 * service's level now), `decision` (a change), and for admission (load shedding)
 * `admission-state` (a service's rejection probabilities now) and `admission-decision` (one
 * class's probability changed). Every `state` and `admission-state` names the agent instance that
 * holds it, so a client can tell a restarted agent's word from its predecessor's.
 */
import type { AdmissionDecision, DegradationDecision, ServiceId } from '../../agent/index.ts';
import { formatSseEvent } from '../../view/index.ts';
import { decisionEventId } from './sse-format.ts';
import type { AdmissionView, ServiceSummary } from './types.ts';

/**
 * The first event of every stream: `event: agent`, `data: {"instanceId":"…"}`; the instance id is
 * new at every start of the agent.
 */
export function agentEvent(instanceId: string): string {
  return formatSseEvent({ event: 'agent', data: JSON.stringify({ instanceId }) });
}

/** Extra fields of a `state` event: `evicted: true` for a service the agent just forgot. */
export interface StateMarks {
  readonly evicted?: true;
}

/** Extra fields of an `admission-state` event: also `unknown: true`, as the unknown `state`. */
export interface AdmissionMarks extends StateMarks {
  readonly unknown?: true;
}

/** A known service's `state` event, `id` its last decision's (`{service}:{seq}`). */
export function stateEvent(
  summary: ServiceSummary,
  seq: number,
  instanceId: string,
  marks: StateMarks = {},
): string {
  const data = JSON.stringify({ ...summary, ...marks, instanceId });
  return formatSseEvent({ event: 'state', id: decisionEventId(summary, seq), data });
}

/**
 * The `state` of a service the stream asked for that the agent does not know (yet), or that the
 * caller may not see (the same answer, so no name leaks): NONE, every feature on, `unknown: true`.
 * Without it a client would keep what an earlier agent said.
 */
export function unknownStateEvent(id: ServiceId, instanceId: string): string {
  const data = JSON.stringify({
    namespace: id.namespace,
    service: id.service,
    level: 'NONE',
    overridden: false,
    since: null,
    disabledFeatures: [],
    unknown: true,
    instanceId,
  });
  return formatSseEvent({ event: 'state', id: decisionEventId(id, 0), data });
}

/** A `decision` event, `id` `{service}:{seq}`. */
export function decisionEvent(decision: DegradationDecision): string {
  const id = decisionEventId(decision, decision.seq);
  return formatSseEvent({ event: 'decision', id, data: JSON.stringify(decision) });
}

/**
 * An `admission-state` event: the {@link AdmissionView} of a service, `instanceId` and any marks.
 * It carries no `id`: a client's `Last-Event-ID` keeps naming the last degradation decision, and
 * the admission state it gets on (re)connecting is authoritative, so nothing is replayed.
 */
export function admissionStateEvent(
  view: AdmissionView,
  instanceId: string,
  marks: AdmissionMarks = {},
): string {
  return formatSseEvent({
    event: 'admission-state',
    data: JSON.stringify({ ...view, ...marks, instanceId }),
  });
}

/** An `admission-decision` event: one admission decision as the agent took it (no `id`, see above). */
export function admissionDecisionEvent(decision: AdmissionDecision): string {
  return formatSseEvent({ event: 'admission-decision', data: JSON.stringify(decision) });
}
