/**
 * The bounded shutdown of collector mode: stop receiving (accepted requests still get their
 * response), stop the decision API and the agent, flush the forwarders and alert channels, all
 * within one bound. At the bound, whatever was not delivered is given up and counted as dropped,
 * or, with a store, kept in its forwarding queue for the next start; the report (and the last log
 * line) says how much. The store closes last, once the forwarders no longer touch it.
 */

import type { Agent } from '../agent/index.ts';
import type { DecisionApi, OtlpReceiver } from '../collector/index.ts';
import type { ForwarderStats, OtlpForwarder } from '../exporters/otlp/index.ts';
import type { PrometheusExporterHandle } from '../exporters/prometheus/index.ts';
import type { Alerting } from './alerting.ts';
import type { Logger } from './logging.ts';
import type { FinalCheckpoint, StateCheckpoints } from './state-checkpoints.ts';

/** What a shutdown left undelivered, counted since the collector started. */
export interface ShutdownReport {
  /** Spans received and not forwarded, every reason (queue_full, retries, shutdown, ...). */
  readonly spansDropped: number;
  /** Metric data points received and not forwarded. */
  readonly metricPointsDropped: number;
  /** Spans not forwarded yet and kept in the store's forwarding queue for the next start. */
  readonly spansKept: number;
  /** Metric data points kept in the store the same way. */
  readonly metricPointsKept: number;
  /** Alert notifications given up, every channel and reason. */
  readonly alertsDropped: number;
  /**
   * The last state checkpoint (`written`, `unchanged`, `failed`, `off`), run within the bound;
   * undefined with `storage.enabled: false`.
   */
  readonly checkpoint: FinalCheckpoint['result'] | undefined;
  /** How long the last checkpoint took, ms (0 without a store). */
  readonly checkpointMs: number;
  /** true when the bound was reached and what was left was given up. */
  readonly timedOut: boolean;
  /** How long the shutdown took, ms. */
  readonly durationMs: number;
}

/** The running parts a shutdown stops. */
export interface CollectorParts {
  readonly agent: Agent;
  readonly receiver: OtlpReceiver;
  readonly api: DecisionApi | undefined;
  readonly prometheus: PrometheusExporterHandle | undefined;
  readonly alerting: Alerting;
  readonly checkpoints: StateCheckpoints | undefined;
  readonly forwarders: readonly OtlpForwarder[];
}

/**
 * Stops `parts` within `timeoutMs` and logs `stopped (N spans dropped)` with the report's fields.
 * Never rejects.
 */
export async function stopCollector(
  parts: CollectorParts,
  timeoutMs: number,
  logger: Logger,
): Promise<ShutdownReport> {
  const startedMs = performance.now();
  const remainingMs = () => Math.max(0, timeoutMs - (performance.now() - startedMs));
  logger.info({ timeoutMs }, 'shutting down: draining the receiver and flushing exporters');
  const receiving = Promise.all([parts.receiver.close(), parts.api?.close()]).then(() => true);
  let inTime = await settledWithin(receiving, remainingMs(), logger);
  parts.agent.stop();
  // Each of these bounds itself by what is left and counts what it gives up before resolving.
  // One budget for all: timers of equal duration fire in creation order, so theirs fire (and
  // count) before the one that stops waiting for them.
  // The last checkpoint comes after the flush (the forwarders remove what they sent from the
  // store), so the flush leaves it a reserve of the bound: 4x the last checkpoint's time, at least
  // 50 ms, at most a quarter of what is left.
  const lastMs = parts.checkpoints?.stats.lastDurationMs ?? 0;
  const reserveMs =
    parts.checkpoints === undefined ? 0 : Math.min(remainingMs() / 4, Math.max(50, 4 * lastMs));
  const budgetMs = Math.max(0, remainingMs() - reserveMs);
  const forwarded = Promise.all(parts.forwarders.map((forwarder) => forwarder.shutdown(budgetMs)));
  const flushing = Promise.all([
    forwarded,
    parts.alerting.shutdown(budgetMs),
    parts.prometheus?.shutdown(),
  ]).then(([sentInTime]) => sentInTime.every(Boolean));
  inTime = (await settledWithin(flushing, budgetMs, logger)) && inTime;
  const final = parts.checkpoints?.close(); // synchronous, a few ms
  const report = reportOf(parts, !inTime, performance.now() - startedMs, final);
  if (report.timedOut) logger.warn({ timeoutMs }, 'shutdown bound reached: undelivered data dropped');
  const kept = report.spansKept > 0 ? `, ${report.spansKept} kept in the store for the next start` : '';
  logger.info(
    { ...report, spansDroppedByReason: droppedByReason(parts, 'traces') },
    `stopped (${report.spansDropped} spans dropped${kept})`,
  );
  return report;
}

function reportOf(
  parts: CollectorParts,
  timedOut: boolean,
  durationMs: number,
  final: FinalCheckpoint | undefined,
): ShutdownReport {
  const sum = (record: Readonly<Record<string, number>>) => Object.values(record).reduce((a, b) => a + b, 0);
  const droppedOf = (signal: string) => sum(droppedByReason(parts, signal));
  const keptOf = (signal: string) => statsOf(parts, signal)?.keptItems ?? 0;
  const channels = Object.values(parts.alerting.router.stats());
  return {
    spansDropped: droppedOf('traces'),
    metricPointsDropped: droppedOf('metrics'),
    spansKept: keptOf('traces'),
    metricPointsKept: keptOf('metrics'),
    alertsDropped: channels.reduce((total, channel) => total + channel.dropped, 0),
    checkpoint: final?.result,
    checkpointMs: Math.round((final?.durationMs ?? 0) * 10) / 10,
    timedOut,
    durationMs: Math.round(durationMs),
  };
}

function droppedByReason(parts: CollectorParts, signal: string): Record<string, number> {
  return { ...(statsOf(parts, signal)?.dropped ?? {}) };
}

function statsOf(parts: CollectorParts, signal: string): ForwarderStats | undefined {
  return parts.forwarders.map((f) => f.stats()).find((s) => s.signal === signal);
}

/**
 * What `work` resolved with, or false when it did not settle within `ms`; a failure is logged
 * and counts as true (it did not time out). The timer is ref'd on purpose: shutdown is awaited,
 * and it must reach its end even when only unref'd work (a backoff wait) is pending; it is cleared.
 */
async function settledWithin(work: Promise<boolean>, ms: number, logger: Logger): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const done = work.catch((error: unknown) => {
    logger.error({ err: error }, 'a shutdown step failed');
    return true;
  });
  const inTime = await Promise.race([done, expired]);
  clearTimeout(timer);
  return inTime;
}
