/**
 * Per-service degradation metrics: the level as a number, the level as a state set, and the
 * decisions counted since the producer subscribed.
 */
import type { Attributes } from '@opentelemetry/api';
import {
  type Agent,
  DEGRADATION_LEVELS,
  type DegradationDecision,
  NAMESPACE_LABEL,
  type ServiceId,
  serviceKey,
  serviceLabels,
} from '../../agent/index.ts';
import { max, type Point, SERVICE_FOLD, sum } from './capped-points.ts';
import { METRICS, OVERFLOW_SERVICE } from './metric-descriptors.ts';
import type { MetricSink } from './metric-sink.ts';

/**
 * Counts every degradation decision of every service by (service, from, to, reason), pins and
 * releases of an override at the same level included; a service is (namespace, name). Memory is
 * bounded: decisions of services beyond the first `maxServices` count under `service="__overflow__"`.
 */
export class TransitionCounts {
  readonly #maxServices: number;
  readonly #services = new Set<string>();
  // `${service}\n${from}\n${to}\n${reason}` -> point; built per decision, never on the record path.
  readonly #points = new Map<string, Point<number>>();
  readonly #unsubscribe: () => void;

  constructor(agent: Agent, maxServices: number) {
    this.#maxServices = maxServices;
    this.#unsubscribe = agent.onDecision((decision) => this.#count(decision));
  }

  /** One point per (service, from, to, reason) seen, in first-seen order. */
  points(): Point<number>[] {
    return [...this.#points.values()].map(({ attributes, value }) => ({ attributes, value }));
  }

  /** Stops counting. Idempotent. */
  close(): void {
    this.#unsubscribe();
  }

  #count(decision: DegradationDecision): void {
    const { from, to, reason } = decision;
    const service = this.#serviceOf(decision);
    const key = `${service === undefined ? '' : serviceKey(service)}\n${from}\n${to}\n${reason}`;
    const point = this.#points.get(key);
    if (point !== undefined) {
      point.value++;
      return;
    }
    const labels = service === undefined ? { service: OVERFLOW_SERVICE } : serviceLabels(service);
    const attributes: Attributes = { ...labels, from, to, reason };
    this.#points.set(key, { attributes, value: 1 });
  }

  /** The service's identity, or `undefined` once the cap folds it into the overflow label set. */
  #serviceOf(decision: DegradationDecision): ServiceId | undefined {
    const key = serviceKey(decision);
    if (this.#services.has(key)) return decision;
    if (this.#services.size >= this.#maxServices) return undefined;
    this.#services.add(key);
    return decision;
  }
}

/** Adds the degradation metrics of every service the agent knows to `sink`. */
export function addDegradationMetrics(sink: MetricSink, agent: Agent, transitions: TransitionCounts): void {
  const levels = sink.capped(SERVICE_FOLD, max);
  const states = sink.capped(SERVICE_FOLD, max);
  for (const id of agent.services()) {
    const key = serviceKey(id);
    const labels = serviceLabels(id);
    const level = agent.degradation(id.service, id.namespace).level;
    levels.add(key, labels, DEGRADATION_LEVELS.indexOf(level));
    for (const candidate of DEGRADATION_LEVELS) {
      states.add(key, { ...labels, level: candidate }, candidate === level ? 1 : 0);
    }
  }
  sink.gauge(METRICS.degradationLevel, levels);
  sink.gauge(METRICS.degradationState, states);
  const counts = sink.capped(SERVICE_FOLD, sum);
  for (const point of transitions.points()) {
    const { service, [NAMESPACE_LABEL]: namespace } = point.attributes;
    counts.add(
      serviceKey({ namespace: String(namespace ?? ''), service: String(service) }),
      point.attributes,
      point.value,
    );
  }
  sink.counter(METRICS.degradationTransitions, counts);
}
