/**
 * Cluster mode's primary: embedded Headroom whose agent owns the windows, the judge, degradation,
 * alerts and the Prometheus port for the whole group. A {@link ClusterHub} merges the workers'
 * deltas and sends them the group's state; this file only wires it to `node:cluster`'s events.
 */
import type { Cluster, Worker } from 'node:cluster';
import { ClusterHub, type ClusterStats, type LoadSampler, Outbox } from '../../agent/index.ts';
import { clusterMetrics } from '../../exporters/metrics/index.ts';
import type { EmbeddedHeadroom } from '../../instrumentation/index.ts';
import { type EmbeddedStartOptions, startEmbedded } from '../start.ts';

const NO_STATS: ClusterStats = {
  workers: 0,
  workersExited: 0,
  deltas: 0,
  messagesRefused: 0,
  seriesRefused: 0,
  slotsDropped: 0,
  samplesDropped: { invalid: 0, late: 0, duration: 0, backlog: 0 },
  admissionRefused: 0,
  admissionFallbacks: 0,
  admissionLate: 0,
};

/**
 * Starts the primary's Headroom and listens to `group`'s workers (those forked before and after).
 * The agent's load sampler is the group's heaviest worker. Never throws into the primary once
 * started; `shutdown()` stops listening.
 */
export function startClusterPrimary(options: EmbeddedStartOptions, group: Cluster): EmbeddedHeadroom {
  let hub: ClusterHub | undefined;
  // The hub needs the agent, the agent its load sampler: the sampler reads the hub once it exists.
  const loadSampler: LoadSampler = {
    sample: () => hub?.loadSampler.sample() ?? { eventLoopDelayP99Ms: 0, eventLoopUtilization: 0, cpu: 0 },
    close: () => {},
  };
  const headroom = startEmbedded({ ...options, loadSampler: options.loadSampler ?? loadSampler }, [
    clusterMetrics(() => hub?.stats() ?? NO_STATS),
  ]);
  if (!headroom.agent.config.enabled) return headroom;
  const outboxes = new Map<number, Outbox>();
  const live = new ClusterHub(headroom.agent, (id, message) => {
    const worker = group.workers?.[id];
    if (worker === undefined) return;
    let outbox = outboxes.get(id);
    if (outbox === undefined) {
      outbox = new Outbox({ send: (value, done) => worker.send(value, done) });
      outboxes.set(id, outbox);
    }
    outbox.sendLatest(message);
  });
  hub = live;
  const onMessage = (worker: Worker, message: unknown) => live.receive(worker.id, message);
  const onExit = (worker: Worker) => {
    live.exit(worker.id);
    outboxes.delete(worker.id);
  };
  group.on('message', onMessage);
  group.on('exit', onExit);
  for (const worker of Object.values(group.workers ?? {})) if (worker !== undefined) live.join(worker.id);
  const stopTicks = headroom.agent.onTick(() => live.broadcast());
  const stopDecisions = headroom.agent.onDecision(() => live.broadcast());
  headroom.addShutdownHook(() => {
    stopTicks();
    stopDecisions();
    group.off('message', onMessage);
    group.off('exit', onExit);
  });
  return headroom;
}
