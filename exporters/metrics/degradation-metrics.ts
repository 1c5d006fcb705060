/**
 * Per-service degradation metrics: the level as a number, the level as a state set, and the
 * decisions counted since the producer subscribed.
 */
import type { Attributes } from '@opentelemetry/api';
import { type Agent, DEGRADATION_LEVELS, type DegradationDecision } from '../../agent/index.ts';
import { max, type Point, SERVICE_FOLD, sum } from './capped-points.ts';
import { METRICS, OVERFLOW_SERVICE } from './metric-descriptors.ts';
import type { MetricSink } from './metric-sink.ts';

/**
 * Counts every degradation decision of every service by (service, from, to, reason), pins and
 * releases of an override at the same level included. Memory is bounded: decisions of services
 * beyond the first `maxServices` count under `service="__overflow__"`.
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

  #count({ service, from, to, reason }: DegradationDecision): void {
    const label = this.#serviceLabel(service);
    const key = `${label}\n${from}\n${to}\n${reason}`;
    const point = this.#points.get(key);
    if (point !== undefined) {
      point.value++;
      return;
    }
    const attributes: Attributes = { service: label, from, to, reason };
    this.#points.set(key, { attributes, value: 1 });
  }

  #serviceLabel(service: string): string {
    if (this.#services.has(service)) return service;
    if (this.#services.size >= this.#maxServices) return OVERFLOW_SERVICE;
    this.#services.add(service);
    return service;
  }
}

/** Adds the degradation metrics of every service the agent knows to `sink`. */
export function addDegradationMetrics(sink: MetricSink, agent: Agent, transitions: TransitionCounts): void {
  const levels = sink.capped(SERVICE_FOLD, max);
  const states = sink.capped(SERVICE_FOLD, max);
  for (const service of agent.services()) {
    const level = agent.degradation(service).level;
    levels.add(service, { service }, DEGRADATION_LEVELS.indexOf(level));
    for (const candidate of DEGRADATION_LEVELS) {
      states.add(service, { service, level: candidate }, candidate === level ? 1 : 0);
    }
  }
  sink.gauge(METRICS.degradationLevel, levels);
  sink.gauge(METRICS.degradationState, states);
  const counts = sink.capped(SERVICE_FOLD, sum);
  for (const point of transitions.points())
    counts.add(point.attributes.service, point.attributes, point.value);
  sink.counter(METRICS.degradationTransitions, counts);
}
