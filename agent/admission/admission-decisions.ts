/**
 * The decision record of one service's admission controller: every change of a class's rejection
 * probability becomes an {@link AdmissionDecision}, numbered (`seq`, continuing across a restore),
 * kept in the bounded audit log and published to listeners and the decision channel.
 */
import type { AuditLog, ReadonlyAuditLog } from '../degradation/audit-log.ts';
import { DecisionPublisher } from '../degradation/decision-publisher.ts';
import type { DegradationLevel } from '../degradation/levels.ts';
import { ADMISSION_DECISION_CHANNEL } from '../semconv.ts';
import type { ServiceId } from '../service-id.ts';
import { admissionAuditLog } from './admission-audit.ts';
import type { Probabilities } from './admission-law.ts';
import type { Cause } from './admission-tick.ts';
import { CRITICALITIES } from './criticality.ts';
import type { AdmissionDecision, AdmissionListener } from './types.ts';

/** Lowest class first: the order decisions of one change are numbered in. */
const DECISION_ORDER = [...CRITICALITIES].reverse();

/** Numbers, audits and publishes one service's admission decisions. */
export class AdmissionDecisions {
  readonly #id: ServiceId;
  readonly #audit: AuditLog<AdmissionDecision>;
  readonly #publisher = new DecisionPublisher<AdmissionDecision>(ADMISSION_DECISION_CHANNEL, 'admission');
  #seq = 0;
  #last: AdmissionDecision | undefined;

  /** @param auditLogSize decisions the audit log keeps */
  constructor(id: ServiceId, auditLogSize: number) {
    this.#id = id;
    this.#audit = admissionAuditLog(auditLogSize);
  }

  /** The last decisions, oldest first (JSON and CSV renderings). */
  get auditLog(): ReadonlyAuditLog<AdmissionDecision> {
    return this.#audit;
  }

  /** The last decision's sequence number (0 before the first). */
  get seq(): number {
    return this.#seq;
  }

  /** The last decision taken or restored; `undefined` before any. */
  get last(): AdmissionDecision | undefined {
    return this.#last;
  }

  /** Registers `listener` for every later decision; returns the function that removes it. */
  subscribe(listener: AdmissionListener): () => void {
    return this.#publisher.subscribe(listener);
  }

  /**
   * One decision per class whose probability differs between `before` and `after`, lowest class
   * first, taken `at` (ms since the epoch) at `level` for `cause`: audited, published and appended
   * to `out`.
   */
  take(
    out: AdmissionDecision[],
    cause: Cause,
    change: { readonly before: Probabilities; readonly after: Probabilities },
    at: number,
    level: DegradationLevel,
  ): void {
    for (const criticality of DECISION_ORDER) {
      const from = change.before[criticality];
      const to = change.after[criticality];
      if (from === to) continue;
      const decision: AdmissionDecision = Object.freeze({
        seq: ++this.#seq,
        at,
        namespace: this.#id.namespace,
        service: this.#id.service,
        criticality,
        from,
        to,
        reason: cause.reason,
        message: cause.message(criticality, from, to),
        ...(cause.evidence === undefined ? {} : { evidence: cause.evidence }),
        level,
      });
      this.#last = decision;
      this.#audit.add(decision);
      out.push(decision);
      this.#publisher.publish(decision);
    }
  }

  /** Takes back a snapshot's sequence number and audit log (not published: no decision is taken). */
  restore(seq: number, decisions: readonly AdmissionDecision[]): void {
    this.#seq = seq;
    for (const decision of decisions) this.#audit.add(Object.freeze(decision));
    this.#last = this.#audit.entries().at(-1);
  }
}
