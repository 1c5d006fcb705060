// Public face of collector/api: the decision API of collector mode and the JSON it serves.
export { type DecisionApi, type DecisionApiOptions, startDecisionApi } from './decision-api.ts';
export { decisionEventId, parseDecisionEventId } from './sse-format.ts';
export type {
  ApiConfig,
  ApiErrorBody,
  DecisionHistory,
  LatencyPercentilesMs,
  OverrideResult,
  Scope,
  SeriesStatus,
  SeriesView,
  ServiceDetail,
  ServiceSummary,
} from './types.ts';
