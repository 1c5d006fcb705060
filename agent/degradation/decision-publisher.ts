/**
 * Delivers decisions to in-process listeners and to `node:diagnostics_channel`, isolating failures:
 * a listener that throws is reported through `diag` and the others still run.
 */
import { channel } from 'node:diagnostics_channel';
import { diag } from '@opentelemetry/api';
import { DEGRADATION_DECISION_CHANNEL } from '../semconv.ts';
import type { DecisionListener, DegradationDecision } from './types.ts';

const decisionChannel = channel(DEGRADATION_DECISION_CHANNEL);

/** Listener registry plus channel publication, in decision order even when a listener re-enters. */
export class DecisionPublisher {
  // One entry per subscribe() call, so subscribing the same function twice needs two unsubscribes.
  readonly #listeners = new Set<{ readonly listener: DecisionListener }>();
  readonly #queue: DegradationDecision[] = [];
  #draining = false;

  /** Adds `listener`; returns the function that removes it (idempotent). */
  subscribe(listener: DecisionListener): () => void {
    const entry = { listener };
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /**
   * Delivers `decision` to every listener, then to the channel. A decision taken inside a listener
   * is queued and delivered after the current one, so every listener sees decisions in `seq` order.
   */
  publish(decision: DegradationDecision): void {
    this.#queue.push(decision);
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift())
        this.#deliver(next);
    } finally {
      this.#draining = false;
    }
  }

  #deliver(decision: DegradationDecision): void {
    for (const { listener } of this.#listeners) {
      try {
        listener(decision);
      } catch (error) {
        diag.error(`headroom: a degradation listener threw on decision ${decision.seq}; ignored`, error);
      }
    }
    // Node reports a throwing channel subscriber as an uncaught exception on the next tick; nothing to catch here.
    if (decisionChannel.hasSubscribers) decisionChannel.publish(decision);
  }
}
