/**
 * Delivers decisions to in-process listeners and to `node:diagnostics_channel`, isolating failures:
 * a listener that throws is reported through `diag` and the others still run.
 */
import { type Channel, channel } from 'node:diagnostics_channel';
import { diag } from '@opentelemetry/api';
import { DEGRADATION_DECISION_CHANNEL } from '../semconv.ts';
import type { DegradationDecision } from './types.ts';

/**
 * Listener registry plus channel publication, in decision order even when a listener re-enters.
 * Degradation decisions by default; admission decisions use their own channel and kind.
 */
export class DecisionPublisher<D extends { readonly seq: number } = DegradationDecision> {
  // One entry per subscribe() call, so subscribing the same function twice needs two unsubscribes.
  readonly #listeners = new Set<{ readonly listener: (decision: D) => void }>();
  readonly #queue: D[] = [];
  readonly #channel: Channel;
  readonly #kind: string;
  #draining = false;

  /**
   * @param channelName the `node:diagnostics_channel` decisions are published on
   * @param kind what the decisions are, for log lines (`a degradation listener threw`)
   */
  constructor(channelName = DEGRADATION_DECISION_CHANNEL, kind = 'degradation') {
    this.#channel = channel(channelName);
    this.#kind = kind;
  }

  /** Adds `listener`; returns the function that removes it (idempotent). */
  subscribe(listener: (decision: D) => void): () => void {
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
  publish(decision: D): void {
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

  #deliver(decision: D): void {
    for (const { listener } of this.#listeners) {
      try {
        listener(decision);
      } catch (error) {
        diag.error(`headroom: a ${this.#kind} listener threw on decision ${decision.seq}; ignored`, error);
      }
    }
    // Node reports a throwing channel subscriber as an uncaught exception on the next tick; nothing to catch here.
    if (this.#channel.hasSubscribers) this.#channel.publish(decision);
  }
}
