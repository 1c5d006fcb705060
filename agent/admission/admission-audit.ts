/** The admission audit log: the degradation {@link AuditLog} ring with admission decisions' CSV columns. */
import { AuditLog, type CsvFormat, DEFAULT_AUDIT_LOG_SIZE } from '../degradation/audit-log.ts';
import type { AdmissionDecision } from './types.ts';

/** Columns of the admission audit log's CSV, in order; probabilities as fractions (0.3). */
const ADMISSION_CSV: CsvFormat<AdmissionDecision> = {
  columns: Object.freeze([
    'seq',
    'at',
    'namespace',
    'service',
    'criticality',
    'from',
    'to',
    'reason',
    'level',
    'message',
    'signal_criticality',
    'percentile',
    'ratio',
    'threshold_ratio',
    'samples',
  ]),
  row: (decision) => {
    const { evidence } = decision;
    return [
      String(decision.seq),
      new Date(decision.at).toISOString(),
      decision.namespace,
      decision.service,
      decision.criticality,
      String(decision.from),
      String(decision.to),
      decision.reason,
      decision.level,
      decision.message,
      evidence?.criticality ?? '',
      evidence?.percentile ?? '',
      evidence === undefined ? '' : String(evidence.ratio),
      evidence === undefined ? '' : String(evidence.thresholdRatio),
      evidence === undefined ? '' : String(evidence.samples),
    ];
  },
};

/** A bounded log of the last `capacity` admission decisions (default 1000), JSON and RFC 4180 CSV. */
export function admissionAuditLog(capacity = DEFAULT_AUDIT_LOG_SIZE): AuditLog<AdmissionDecision> {
  return new AuditLog(capacity, ADMISSION_CSV);
}
