/**
 * Collector-mode forwarding: one {@link OtlpForwarder} per signal when `exporters.otlp` is on,
 * over its `protocol` (OTLP/HTTP, or OTLP/gRPC), with the forwarding queue kept in the state store
 * when there is one; what a previous run left there is queued again before the receiver accepts
 * traffic.
 */
import type { StateStore } from '../agent/index.ts';
import type { ResolvedConfig } from '../config/index.ts';
import { type ForwardOutcome, OtlpForwarder } from '../exporters/otlp/index.ts';
import type { Logger } from './logging.ts';

/** The forwarders of collector mode; both `undefined` when `exporters.otlp` is off. */
export interface Forwarders {
  readonly traces: OtlpForwarder | undefined;
  readonly metrics: OtlpForwarder | undefined;
}

/**
 * Creates the forwarders, paused, and restores their queues from `store` (logging what came
 * back); they send nothing until `start()`, once the collector has started (a start that fails,
 * on a port taken say, sends nothing, so nothing is sent twice). Never rejects: a store that
 * cannot be read leaves its requests there, with an error log line.
 */
export async function startForwarders(
  config: ResolvedConfig,
  store: StateStore | undefined,
  logger: Logger,
): Promise<Forwarders> {
  const otlp = config.exporters.otlp;
  if (!otlp.enabled) return { traces: undefined, metrics: undefined };
  const options = { store: store?.requests, maxQueueBytes: otlp.queue.maxBytes, paused: true };
  const [traces, metrics] = await Promise.all([
    OtlpForwarder.create(otlp, 'traces', options),
    OtlpForwarder.create(otlp, 'metrics', options),
  ]);
  if (store !== undefined) {
    const [spans, points] = [traces.restore(), metrics.restore()];
    const dropped = spans.dropped + points.dropped;
    logger.info(
      { path: store.path, spans, points },
      `forwarding queue restored from ${store.path}: ${spans.items} spans, ${points.items} metric data points${dropped > 0 ? ` (${dropped} over the queue bounds dropped)` : ''}`,
    );
  }
  return { traces, metrics };
}

/** What the receiver hears of a forwarded request: only that the queue could not keep it (503). */
export function refusable(outcome: ForwardOutcome): 'unavailable' | undefined {
  return outcome === 'unavailable' ? outcome : undefined;
}
