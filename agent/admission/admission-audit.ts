/** The admission audit log: the degradation {@link AuditLog} ring with admission decisions' CSV columns. */
import { AuditLog, type CsvFormat, DEFAULT_AUDIT_LOG_SIZE } from '../degradation/audit-log.ts';
import type { AdmissionDecision } from './types.ts';

/**
 * Columns of the admission audit log's CSV, in order; probabilities as fractions (0.3). The evidence's
 * latency, then its flow (review15g M3); a field the evidence lacks is empty.
 */
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
    'flow_admitted',
    'flow_finished',
    'flow_waiting',
    'flow_window_ms',
    'flow_reading',
  ]),
  row: (decision) => {
    const evidence = decision.evidence ?? {};
    const { flow } = evidence;
    const text = (value: string | number | undefined) => (value === undefined ? '' : String(value));
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
      text(evidence.criticality),
      text(evidence.percentile),
      text(evidence.ratio),
      text(evidence.thresholdRatio),
      text(evidence.samples),
      text(flow?.admitted),
      text(flow?.finished),
      text(flow?.waiting),
      text(flow?.windowMs),
      text(flow?.reading),
    ];
  },
};

/** A bounded log of the last `capacity` admission decisions (default 1000), JSON and RFC 4180 CSV. */
export function admissionAuditLog(capacity = DEFAULT_AUDIT_LOG_SIZE): AuditLog<AdmissionDecision> {
  return new AuditLog(capacity, ADMISSION_CSV);
}
