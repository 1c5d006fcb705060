/**
 * `headroom-otel/cluster`: Headroom in Node `cluster` mode. The primary aggregates the workers'
 * metrics and judges the whole group; the workers follow its decisions, admission included
 * (README, "Node cluster mode").
 * @example
 * import cluster from 'node:cluster';
 * import { start } from 'headroom-otel/cluster';
 * const headroom = start({ configFiles: ['headroom.yaml'] });
 * if (cluster.isPrimary) cluster.fork();
 * @packageDocumentation
 */
// First: on an unsupported Node.js the import stops here with HEADROOM_ERR_NODE_UNSUPPORTED.
import './node-version.ts';

export { start } from './app/cluster/index.ts';
