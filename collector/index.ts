/**
 * Public face of collector/: collector mode's stage. The OTLP receiver, the decision API and the
 * service directory; it depends on agent/ and config/, never the reverse (DESIGN.md, "Layout"),
 * so an embedded `import 'headroom-otel'` never loads the HTTP framework or the protobuf decoder.
 */
export {
  type DecisionApi,
  startDecisionApi,
} from './api/index.ts';
export { type FdBudget, fdBudget, readFdLimit } from './fd-budget.ts';
export {
  type OtlpReceiver,
  startReceiver,
} from './receiver/index.ts';
export {
  connectDirectory,
  ServiceDirectory,
} from './service-directory.ts';
