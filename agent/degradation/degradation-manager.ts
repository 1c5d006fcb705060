/**
 * One service's degradation state machine: verdicts in, levels and feature switches out, each
 * change a {@link DegradationDecision} value that is audited and published.
 */
import { diag } from '@opentelemetry/api';
import type { Verdict } from '../budget/types.ts';
import type { Clock } from '../clock.ts';
import { type ServiceId, serviceId } from '../service-id.ts';
import { AuditLog, DEFAULT_AUDIT_LOG_SIZE, type ReadonlyAuditLog } from './audit-log.ts';
import { DecisionPublisher } from './decision-publisher.ts';
import { type DegradationConfig, featureChanges, LevelTable } from './level-table.ts';
import { type DegradationLevel, isDegradationLevel } from './levels.ts';
import { overrideClearedMessage, overrideExpiredMessage, overrideMessage } from './messages.ts';
import { type DegradationSnapshot, versioned } from './snapshot.ts';
import { type Proposal, TransitionPolicy, worstOf } from './transition-policy.ts';
import type {
  DecisionListener,
  DegradationDecision,
  DegradationReason,
  DegradationState,
  FeatureFlags,
  OverrideOptions,
} from './types.ts';

/** Options of {@link DegradationManager}. */
export interface DegradationManagerOptions {
  /** The parsed (possibly deep-frozen) `degradation` config section. */
  readonly config: DegradationConfig;
  /** Source of decision times, ms since the epoch. */
  readonly clock: Clock;
  /** service.name stamped on every decision. @default 'unknown_service:node' */
  readonly service?: string;
  /** service.namespace stamped on every decision. @default '' (none) */
  readonly namespace?: string;
  /** Decisions the audit log keeps. @default 1000 */
  readonly auditLogSize?: number;
}

/** A level change (or a pin/release at the same level) about to become a decision. */
type Transition = Omit<Proposal, 'reason'> & { readonly reason: DegradationReason };

/**
 * @example
 * const manager = new DegradationManager({ config: config.degradation, clock: systemClock, service: 'checkout' });
 * manager.subscribe((decision) => logger.info(decision.message));
 * evaluator.onTick((verdicts) => manager.observe(verdicts));
 * if (manager.features.enabled('recommendations')) addRecommendations(page);
 */
export class DegradationManager {
  #config: DegradationConfig;
  readonly #clock: Clock;
  /** The service this manager decides for. */
  readonly id: ServiceId;
  #table: LevelTable;
  #policy: TransitionPolicy;
  readonly #audit: AuditLog;
  readonly #publisher = new DecisionPublisher();
  #level: DegradationLevel = 'NONE';
  /** When the current level was entered, ms. */
  #sinceMs: number;
  /** Baseline of minDwell and maxDuration: the last decision of any kind, ms. */
  #heldSinceMs: number;
  #override: (OverrideOptions & { readonly reason: string }) | undefined;
  #disabledSet: ReadonlySet<string> = new Set();
  #disabledList: readonly string[] = Object.freeze([]);
  #seq = 0;
  #lastDecision: DegradationDecision | undefined;
  /** O(1) feature switches for the hot path; reflects the current level. */
  readonly features: FeatureFlags;

  constructor(options: DegradationManagerOptions) {
    this.#config = options.config;
    this.#clock = options.clock;
    this.id = serviceId(options.namespace ?? '', options.service ?? 'unknown_service:node');
    this.#table = new LevelTable(options.config);
    this.#policy = new TransitionPolicy(this.#table, options.config);
    this.#audit = new AuditLog(options.auditLogSize ?? DEFAULT_AUDIT_LOG_SIZE);
    this.#sinceMs = this.#heldSinceMs = options.clock.now();
    this.features = Object.freeze({
      enabled: (name: string) => !this.#disabledSet.has(name),
      disabled: () => this.#disabledList,
    });
  }

  /** The current level. */
  get level(): DegradationLevel {
    return this.#level;
  }

  /** true while a manual override suspends automatic transitions. */
  get overridden(): boolean {
    return this.#override !== undefined;
  }

  /** The last decisions, oldest first. */
  get auditLog(): ReadonlyAuditLog {
    return this.#audit;
  }

  /**
   * Feeds one evaluation tick: this service's verdicts (empty when no series had enough samples).
   * Returns the decision the tick caused, if any. Never throws.
   */
  observe(verdicts: readonly Verdict[]): DegradationDecision | undefined {
    return this.#safely('tick', () => {
      const nowMs = this.#clock.now();
      if (this.#override !== undefined) return this.#expireOverride(nowMs);
      if (!this.#config.enabled) return undefined;
      const worst = worstOf(verdicts);
      const proposal = this.#policy.next(this.#level, worst, nowMs, this.#heldSinceMs);
      if (proposal === undefined) return undefined;
      this.#policy.entered(proposal.to, worst, nowMs); // before listeners run, so they see a settled state
      return this.#decide(proposal, nowMs);
    });
  }

  /**
   * Pins the level to `level` at once and suspends automatic transitions until {@link clearOverride}
   * or `options.untilMs`. Returns the decision, or `undefined` (reported through `diag`) when `level`
   * is not a level or `untilMs` is not a finite time.
   */
  override(
    level: DegradationLevel,
    reason: string,
    options: OverrideOptions = {},
  ): DegradationDecision | undefined {
    const { untilMs } = options;
    // A finite number can still be beyond what Date (and so the ISO message) can represent.
    if (!isDegradationLevel(level) || (untilMs !== undefined && Number.isNaN(new Date(untilMs).getTime()))) {
      diag.warn(`headroom: degradation override to ${String(level)} until ${String(untilMs)} rejected`);
      return undefined;
    }
    return this.#safely('override', () => {
      const message = overrideMessage(this.#level, level, String(reason), untilMs);
      this.#override =
        untilMs === undefined ? { reason: String(reason) } : { reason: String(reason), untilMs };
      return this.#decide({ to: level, reason: 'manual-override', message }, this.#clock.now());
    });
  }

  /** Ends a manual override; automation resumes from the overridden level. `undefined` when none is active. */
  clearOverride(reason: string): DegradationDecision | undefined {
    if (this.#override === undefined) return undefined;
    return this.#safely('override clear', () => {
      const message = overrideClearedMessage(this.#level, String(reason));
      return this.#resume('override-cleared', message, this.#clock.now());
    });
  }

  /**
   * Applies a new `degradation` config (a config reload) without losing state: the level, the
   * override and the audit log stay; feature switches follow the new lists for the current level;
   * escalation and improvement timers restart from now. Not a decision: nothing is published.
   */
  reconfigure(config: DegradationConfig): void {
    this.#config = config;
    this.#table = new LevelTable(config);
    this.#policy = new TransitionPolicy(this.#table, config);
    this.#policy.entered(this.#level, undefined, this.#clock.now());
    this.#disabledList = this.#table.row(this.#level).disabledFeatures;
    this.#disabledSet = new Set(this.#disabledList);
  }

  /** Registers `listener` for every later decision; returns the function that removes it. */
  subscribe(listener: DecisionListener): () => void {
    return this.#publisher.subscribe(listener);
  }

  /** A snapshot for APIs and dashboards. */
  state(): DegradationState {
    const state = {
      namespace: this.id.namespace,
      service: this.id.service,
      level: this.#level,
      overridden: this.overridden,
      since: this.#sinceMs,
      disabledFeatures: this.#disabledList,
    };
    return this.#lastDecision === undefined ? state : { ...state, lastDecision: this.#lastDecision };
  }

  /** The state a checkpoint keeps: level, timers, override, sequence and audit log (plain data). */
  snapshot(): DegradationSnapshot {
    const improvedSinceMs = this.#policy.improvedSinceMs;
    return versioned({
      namespace: this.id.namespace,
      service: this.id.service,
      level: this.#level,
      sinceMs: this.#sinceMs,
      heldSinceMs: this.#heldSinceMs,
      ...(improvedSinceMs === undefined ? {} : { improvedSinceMs }),
      ...(this.#override === undefined ? {} : { override: { ...this.#override } }),
      seq: this.#seq,
      decisions: this.#audit.entries(),
    });
  }

  /**
   * Takes over a {@link snapshot} (validated by the caller) at start, before any decision: the
   * level, its entry time, dwell and sustain progress, the override and the audit log come back, and
   * decision numbers continue. Feature switches follow the current config; an escalation run
   * starts again. Not a decision: nothing is published.
   */
  restore(snapshot: DegradationSnapshot): void {
    // A time after now (the wall clock stepped back between runs) is taken as now: dwell, sustain
    // and maxDuration never wait for a moment that is yet to come.
    const nowMs = this.#clock.now();
    const past = (ms: number) => Math.min(ms, nowMs);
    this.#enter(snapshot.level, past(snapshot.sinceMs));
    this.#heldSinceMs = past(snapshot.heldSinceMs);
    this.#override = snapshot.override === undefined ? undefined : { ...snapshot.override };
    this.#seq = snapshot.seq;
    for (const decision of snapshot.decisions) this.#audit.add(Object.freeze(decision));
    this.#lastDecision = snapshot.decisions.at(-1);
    this.#policy.entered(this.#level, undefined, nowMs);
    this.#policy.improvedSinceMs =
      snapshot.improvedSinceMs === undefined ? undefined : past(snapshot.improvedSinceMs);
  }

  /**
   * Takes the state another manager of the same service decided (a cluster primary's, judging the
   * whole group's windows): its level, entry time, disabled features and override flag. Its last
   * decision, when new to this manager, joins the audit log and reaches the listeners. Automatic
   * transitions are the other manager's: call this instead of {@link observe}. Never throws.
   */
  follow(state: DegradationState): void {
    this.#safely('follow', () => {
      this.#level = state.level;
      this.#sinceMs = state.since;
      this.#disabledList = Object.freeze([...state.disabledFeatures]);
      this.#disabledSet = new Set(this.#disabledList);
      this.#override = state.overridden ? { reason: 'the cluster primary' } : undefined;
      const decision = state.lastDecision;
      if (decision === undefined || decision.seq === this.#lastDecision?.seq) return undefined;
      this.#seq = decision.seq;
      this.#lastDecision = Object.freeze(decision);
      this.#audit.add(this.#lastDecision);
      this.#publisher.publish(this.#lastDecision);
      return this.#lastDecision;
    });
  }

  /** Runs `fn`; a throw is reported through `diag` and becomes `undefined` (never reaches the host). */
  #safely(what: string, fn: () => DegradationDecision | undefined): DegradationDecision | undefined {
    try {
      return fn();
    } catch (error) {
      diag.error(`headroom: degradation ${what} failed; ignored`, error);
      return undefined;
    }
  }

  #expireOverride(nowMs: number): DegradationDecision | undefined {
    const untilMs = this.#override?.untilMs;
    if (untilMs === undefined || nowMs < untilMs) return undefined;
    return this.#resume('override-expired', overrideExpiredMessage(this.#level, untilMs), nowMs);
  }

  #resume(
    reason: 'override-cleared' | 'override-expired',
    message: string,
    nowMs: number,
  ): DegradationDecision {
    this.#override = undefined;
    this.#policy.entered(this.#level, undefined, nowMs);
    return this.#decide({ to: this.#level, reason, message }, nowMs);
  }

  /** Applies `transition`, then records and publishes the decision. */
  #decide(transition: Transition, nowMs: number): DegradationDecision {
    const from = this.#level;
    const before = this.#disabledList;
    if (transition.to !== from) this.#enter(transition.to, nowMs);
    this.#heldSinceMs = nowMs;
    const decision: DegradationDecision = Object.freeze({
      seq: ++this.#seq,
      at: nowMs,
      namespace: this.id.namespace,
      service: this.id.service,
      from,
      to: transition.to,
      reason: transition.reason,
      message: transition.message,
      ...(transition.evidence === undefined ? {} : { evidence: transition.evidence }),
      actions: featureChanges(before, this.#disabledList),
      disabledFeatures: this.#disabledList,
    });
    this.#lastDecision = decision;
    this.#audit.add(decision);
    this.#publisher.publish(decision);
    return decision;
  }

  #enter(level: DegradationLevel, nowMs: number): void {
    this.#level = level;
    this.#sinceMs = nowMs;
    this.#disabledList = this.#table.row(level).disabledFeatures;
    this.#disabledSet = new Set(this.#disabledList);
  }
}
