/**
 * Cluster mode's worker: embedded Headroom whose agent records but does not judge (no Prometheus
 * port, alerts or store of its own). A {@link WorkerLink} ships its samples to the primary as
 * deltas and makes its level, features, budgets and admission follow the primary's state; this file only
 * wires it to the process's IPC channel.
 */
import {
  type FollowedLoad,
  type LoadSampler,
  nodeLoadSampler,
  Outbox,
  WorkerLink,
} from '../../agent/index.ts';
import { resolveConfig } from '../../config/index.ts';
import { type EmbeddedHeadroom, startInstrumentation } from '../../instrumentation/index.ts';
import { type EmbeddedStartOptions, startTracing } from '../start.ts';

/** What the worker uses of its process: the IPC channel to the primary. */
export interface WorkerProcess {
  send?(message: object, done: (error: Error | null) => void): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

/**
 * Starts a worker's Headroom on `port` (the worker's `process`). Spans are still exported by the
 * worker (OTLP traces); metrics, alerts and state are the primary's. Never throws into the worker
 * once started and never keeps it alive; `shutdown()` ships a last delta and stops listening.
 */
export function startClusterWorker(options: EmbeddedStartOptions, port: WorkerProcess): EmbeddedHeadroom {
  const config = resolveConfig(options);
  if (!config.enabled || port.send === undefined) return startInstrumentation(config, options);
  const ownSampler = options.loadSampler === undefined && config.adaptive.enabled;
  const loadSampler: LoadSampler | undefined = ownSampler ? nodeLoadSampler() : options.loadSampler;
  const followedLoad: FollowedLoad = { factor: 1 };
  const { headroom } = startTracing(
    config,
    { ...options, loadSampler },
    { budgetLoad: followedLoad, judge: false },
  );
  const send = port.send.bind(port);
  const link = new WorkerLink({
    agent: headroom.agent,
    outbox: new Outbox({ send: (message, done) => send(message, done) }),
    followedLoad,
    loadSampler,
  });
  const onMessage = (message: unknown) => link.receive(message);
  // A cluster worker is kept alive by its IPC channel until it disconnects, listener or not
  // (node:cluster refs it): this listener holds nothing more. The timers are unref'd.
  port.on('message', onMessage);
  link.start();
  headroom.addShutdownHook(() => {
    link.stop();
    port.off('message', onMessage);
    if (ownSampler) loadSampler?.close();
  });
  return headroom;
}
