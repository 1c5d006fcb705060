/**
 * `headroom-otel/prom-client`: Headroom's metrics in the service's own prom-client registry, so
 * one `/metrics` serves both. Needs `prom-client` (an optional peer dependency); an embedded
 * `import 'headroom-otel'` does not load it.
 * @example
 * import { collectDefaultMetrics, register } from 'prom-client';
 * import { start } from 'headroom-otel';
 * import { registerHeadroomMetrics } from 'headroom-otel/prom-client';
 * const headroom = start({ configFiles: ['headroom.yaml'] });
 * collectDefaultMetrics();
 * registerHeadroomMetrics(headroom);
 * @packageDocumentation
 */
// First: on an unsupported Node.js the import stops here with HEADROOM_ERR_NODE_UNSUPPORTED.
import './node-version.ts';

export { MetricNameTakenError } from './errors.ts';
export {
  type MetricProducerSource,
  type PromClientRegistry,
  type RegisterHeadroomMetricsOptions,
  registerHeadroomMetrics,
} from './exporters/prom-client/index.ts';
