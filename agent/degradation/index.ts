// Public face of agent/degradation: the per-service degradation state machine and its decisions.
export {
  AuditLog,
  type ReadonlyAuditLog,
} from './audit-log.ts';
export { DegradationManager } from './degradation-manager.ts';
export { LevelTable } from './level-table.ts';
export {
  DEGRADATION_LEVELS,
  type DegradationLevel,
  isDegradationLevel,
  unknownLevelMessage,
} from './levels.ts';
export { type DegradationSnapshot, parseSnapshot } from './snapshot.ts';
export type {
  DecisionActions,
  DecisionEvidence,
  DecisionListener,
  DegradationDecision,
  DegradationReason,
  DegradationState,
  FeatureFlags,
  OverrideOptions,
} from './types.ts';
