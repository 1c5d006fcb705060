/**
 * Public face of app/cluster: Headroom in Node `cluster` mode, reached through the
 * `headroom-otel/cluster` subpath (so an embedded import never loads node:cluster).
 */
import cluster from 'node:cluster';
import type { Headroom } from '../../instrumentation/index.ts';
import type { StartOptions } from '../start.ts';
import { startClusterPrimary } from './primary.ts';
import { startClusterWorker } from './worker.ts';

/**
 * Starts Headroom in a Node cluster: call it in the primary and in every worker, with the same
 * configuration. In the primary, one agent owns the windows, the judge, the degradation levels,
 * alerts and the Prometheus port for the whole group; each worker records its operations and
 * ships compact deltas to the primary every evaluation interval, and follows the primary's
 * decisions: `features.enabled(...)`, `level` and budgets are the group's, and `admit()` (and the
 * HTTP middleware's admission) decides with the primary's rejection probabilities. Options are those of
 * `start()` from `headroom-otel`.
 * @throws {ConfigReadError} `HEADROOM_ERR_CONFIG_READ` when a config file cannot be read
 * @throws {ConfigInvalidError} `HEADROOM_ERR_CONFIG_INVALID` with every problem of the configuration
 * @example
 * import cluster from 'node:cluster';
 * import { start } from 'headroom-otel/cluster';
 * const headroom = start({ configFiles: ['headroom.yaml'] });
 * if (cluster.isPrimary) for (let i = 0; i < 4; i++) cluster.fork();
 * else serve((req, res) => headroom.track('checkout', 'routine', () => checkout(req, res)));
 */
export function start(options: StartOptions = {}): Headroom {
  return cluster.isPrimary ? startClusterPrimary(options, cluster) : startClusterWorker(options, process);
}
