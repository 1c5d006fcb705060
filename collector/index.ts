/**
 * Public face of collector/: collector mode's stage. The OTLP receiver, the decision API and the
 * service directory; it depends on agent/ and config/, never the reverse (DESIGN.md, "Layout"),
 * so an embedded `import 'headroom-otel'` never loads the HTTP framework or the protobuf decoder.
 */
export {
  type ApiConfig,
  type ApiErrorBody,
  type DecisionApi,
  type DecisionApiOptions,
  type DecisionHistory,
  decisionEventId,
  type LatencyPercentilesMs,
  type OverrideResult,
  parseDecisionEventId,
  type Scope,
  type SeriesStatus,
  type SeriesView,
  type ServiceDetail,
  type ServiceSummary,
  startDecisionApi,
} from './api/index.ts';
export { type FdBudget, fdBudget, readFdLimit } from './fd-budget.ts';
export {
  type OtlpPassThrough,
  type OtlpReceiver,
  type ReceiverConfig,
  type ReceiverOptions,
  type ReceiverStats,
  type RefusalReason,
  startReceiver,
} from './receiver/index.ts';
export {
  connectDirectory,
  ServiceDirectory,
  type ServiceDirectoryOptions,
  type ServiceInfo,
} from './service-directory.ts';
