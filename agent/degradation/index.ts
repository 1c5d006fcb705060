// Public face of agent/degradation: the per-service degradation state machine and its decisions.
export {
  AUDIT_CSV_COLUMNS,
  AuditLog,
  DEFAULT_AUDIT_LOG_SIZE,
  type ReadonlyAuditLog,
} from './audit-log.ts';
export { DegradationManager, type DegradationManagerOptions } from './degradation-manager.ts';
export { type DegradationConfig, type LevelRow, LevelTable } from './level-table.ts';
export {
  DEGRADATION_LEVELS,
  type DegradationLevel,
  isDegradationLevel,
  levelAt,
  levelIndex,
  unknownLevelMessage,
} from './levels.ts';
export {
  DEGRADATION_REASONS,
  type DecisionActions,
  type DecisionEvidence,
  type DecisionListener,
  type DegradationDecision,
  type DegradationReason,
  type DegradationState,
  type FeatureFlags,
  type OverrideOptions,
} from './types.ts';
