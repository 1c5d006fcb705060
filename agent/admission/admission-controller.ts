/**
 * One service's admission controller (load shedding by criticality): finished operations' duration
 * /budget ratios in, per class; at each tick a shed pressure that rises while the protected classes
 * are over `admission.targetRatio` and eases once they have been well under it for
 * `recovery.sustain`; `admit()` rejects each class with the probability the pressure, the caps and
 * the degradation level's floors give it. The law is in admission-law.ts; every change of a
 * class's probability is an {@link AdmissionDecision}, audited and published.
 */
import { isDeepStrictEqual } from 'node:util';
import { diag } from '@opentelemetry/api';
import type { Clock } from '../clock.ts';
import { DEFAULT_AUDIT_LOG_SIZE, type ReadonlyAuditLog } from '../degradation/audit-log.ts';
import { type DegradationLevel, levelIndex } from '../degradation/levels.ts';
import { AdmissionDecisions } from './admission-decisions.ts';
import { AdmissionGate } from './admission-gate.ts';
import {
  type AdmissionConfig,
  boundsAt,
  floorPressure,
  type LevelBounds,
  maxPressure,
  pressureAtLevel,
} from './admission-law.ts';
import { LawState } from './admission-law-state.ts';
import { levelMessage, reconfiguredMessage } from './admission-messages.ts';
import { frontierOf, topShed } from './admission-signal.ts';
import { type AdmissionSnapshot, versionedAdmission } from './admission-snapshot.ts';
import { nextPressure } from './admission-step.ts';
import type { Cause } from './admission-tick.ts';
import { classBounds, classStates, type FollowedAdmission } from './class-counters.ts';
import { ClassWindows } from './class-windows.ts';
import type { Criticality } from './criticality.ts';
import { FlowLog } from './flow-log.ts';
import type { AdmissionDecision, AdmissionListener, AdmissionState } from './types.ts';

/** The terms of the law in `config`: all of it but `retryAfterMs` (the rejected request's header). */
function lawTerms(config: AdmissionConfig): Omit<AdmissionConfig, 'retryAfterMs'> {
  const { retryAfterMs: _header, ...terms } = config;
  return terms;
}

/** Options of {@link AdmissionController}. */
export interface AdmissionControllerOptions {
  /** The parsed `admission` config section. */
  readonly config: AdmissionConfig;
  /** Source of decision times and of "now" for the ratio windows, ms since the epoch. */
  readonly clock: Clock;
  /** service.name stamped on every decision. @default 'unknown_service:node' */
  readonly service?: string;
  /** service.namespace stamped on every decision. @default '' (none) */
  readonly namespace?: string;
  /** Uniform draws in [0, 1) that decide each admission. @default Math.random */
  readonly random?: () => number;
  /** Decisions the audit log keeps. @default 1000 */
  readonly auditLogSize?: number;
}

/** No request offered over the window. */
const NONE_OFFERED = Object.freeze({ CRITICAL_PLUS: 0, CRITICAL: 0, SHEDDABLE_PLUS: 0, SHEDDABLE: 0 });

/**
 * @example
 * const admission = new AdmissionController({ config: config.admission, clock: systemClock, service: 'checkout' });
 * onSpanEnd((span) => admission.record(span.criticality, span.durationMs / span.budgetMs, span.endMs));
 * everySecond(() => admission.observe(degradation.level));
 * if (!admission.admit('SHEDDABLE').admitted) reply503();
 */
export class AdmissionController extends AdmissionGate {
  #config: AdmissionConfig;
  /** The wall clock: a decision's time. Everything the law times runs on {@link steady}. */
  readonly #clock: Clock;
  readonly #decisions: AdmissionDecisions;
  #level: DegradationLevel = 'NONE';
  #bounds: LevelBounds;
  #pressure = 0;
  readonly #law = new LawState();
  readonly #flow = new FlowLog();
  /** The samples the windows had received by the previous tick. */
  #lastReceived = 0;

  constructor(options: AdmissionControllerOptions) {
    super({ ...options, windowMs: options.config.windowMs });
    this.#config = options.config;
    this.#clock = options.clock;
    this.#decisions = new AdmissionDecisions(this.id, options.auditLogSize ?? DEFAULT_AUDIT_LOG_SIZE);
    this.#bounds = boundsAt(options.config, 'NONE');
    this.update();
  }

  protected override update(): void {
    this.counters.update(this.#config, this.#pressure, this.#bounds, this.#level);
  }

  protected override get enabled(): boolean {
    return this.#config.enabled;
  }

  /** The last admission decisions, oldest first (JSON and CSV renderings). */
  get auditLog(): ReadonlyAuditLog<AdmissionDecision> {
    return this.#decisions.auditLog;
  }

  /**
   * Cluster mode, in a worker: puts `followed` in force in place of a followed state the primary
   * has not renewed (worker-admission.ts), each class whose probability changes a decision with
   * reason `stale` and `message`. Returns the decisions, audited and published. Never throws.
   */
  fallBack(
    followed: FollowedAdmission,
    message: (criticality: Criticality, from: number, to: number) => string,
  ): readonly AdmissionDecision[] {
    const out: AdmissionDecision[] = [];
    try {
      const before = this.counters.probabilities;
      this.counters.follow(followed);
      const change = { before, after: this.counters.probabilities };
      this.#decisions.take(out, { reason: 'stale', message }, change, this.#clock.now(), followed.level);
    } catch (error) {
      diag.error(`headroom: admission fallback of ${this.id.service} failed; ignored`, error);
    }
    return out;
  }

  /**
   * One evaluation tick, after the degradation managers, with the service's level: applies the
   * level's caps and floors, then moves the pressure by the law. Returns the decisions taken (one
   * per class whose probability changed), already audited and published. Never throws.
   */
  observe(level: DegradationLevel): readonly AdmissionDecision[] {
    const out: AdmissionDecision[] = [];
    try {
      if (level !== this.#level) this.#enterLevel(level, out);
      const nowMs = this.steady.now();
      const tickMs = this.#law.tick(nowMs);
      this.#reach();
      const { receivedBy, windowMs } = this.windows;
      const { admitted: yes, rejected: no } = this.counters;
      this.requests.mark(nowMs, (c) => yes[c] + no[c], windowMs);
      const offered = this.requests.offered();
      const counts = { admitted: yes, finished: receivedBy, offered: offered ?? NONE_OFFERED };
      const flow = this.#flow.mark(nowMs, counts, windowMs, this.#config.minSamples);
      if (!this.#config.enabled || this.#idle()) return out;
      const next = nextPressure(
        { config: this.#config, bounds: this.#bounds, pressure: this.#pressure, windows: this.windows },
        this.#law.moment({ flow, offered, nowMs, tickMs, shares: this.counters.shares }),
      );
      this.#law.apply(next);
      const { improvedSinceMs } = next;
      // Learns only while nothing is shed, and the window learned from and the one after it were healthy.
      const healthyMs = improvedSinceMs === undefined ? 0 : nowMs - improvedSinceMs;
      if (healthyMs >= windowMs) this.#flow.settle(this.#config.minSamples);
      if (healthyMs >= 2 * windowMs && this.#pressure === 0)
        this.#flow.learn(this.#config.minSamples, nowMs, windowMs);
      const { cause } = next;
      if (cause !== undefined) this.#change(out, cause, () => (this.#pressure = next.pressure));
    } catch (error) {
      diag.error(`headroom: admission tick of ${this.id.service} failed; ignored`, error);
    }
    return out;
  }

  /**
   * How far back this tick reads (review15f H3, window-reach.ts): far enough for the groups
   * judging the class the next step would shed and the most important class shed.
   */
  #reach(): void {
    const bounds = this.#bounds;
    const frontier = frontierOf(this.#pressure, floorPressure(bounds), bounds, this.windows);
    const judged = [topShed(this.counters.shares), frontier?.criticality ?? 'SHEDDABLE'] as const;
    this.windows.reach(this.#config.minSamples, judged);
  }

  /**
   * Nothing can change (review15 F7): no pressure and no sample since the previous tick, so the
   * law's work (reading the windows) is skipped; a controller in collector mode costs next to
   * nothing per tick while its service is healthy and quiet.
   */
  #idle(): boolean {
    const received = this.windows.received;
    const idle = this.#pressure === 0 && received === this.#lastReceived;
    this.#lastReceived = received;
    return idle;
  }

  /** The shed pressure: 0 up to the sum of the caps in force (see admission-law.ts). */
  get pressure(): number {
    return this.#pressure;
  }

  /** A snapshot for APIs and dashboards. */
  state(): AdmissionState {
    const { enabled } = this.#config;
    const state = {
      namespace: this.id.namespace,
      service: this.id.service,
      enabled,
      classes: classStates(this.counters, enabled ? this.#bounds : undefined),
      pressure: this.#pressure,
    };
    const lastDecision = this.#decisions.last;
    return lastDecision === undefined ? state : { ...state, lastDecision };
  }

  /**
   * The state a checkpoint keeps: pressure, level, recovery progress, the overload episode's ramp
   * (anti-windup: a restart does not start a fresh ramp that rises again), the healthy rate (as it
   * last moved by 10 %: a restart can tell a saturated service from a slow one at once) and, while
   * the overload is in progress, the last tick's time (the next tick's length), sequence and audit
   * log (plain data). The ratio windows and the counters are not kept.
   */
  snapshot(): AdmissionSnapshot {
    return versionedAdmission({
      namespace: this.id.namespace,
      service: this.id.service,
      level: this.#level,
      pressure: this.#pressure,
      ...this.#law.checkpoint(this.#config.recovery.sustainMs),
      seq: this.#decisions.seq,
      decisions: this.#decisions.auditLog.entries(),
    });
  }

  /**
   * Takes over a {@link snapshot} (validated by the caller) at start, before any decision: the
   * pressure (cut to the caps in force), its level, the recovery progress, the ramp, the healthy rate, the last tick's
   * time and the audit log come back, and decision numbers continue; with admission disabled the pressure stays 0. A
   * time after now (the wall clock stepped back) is taken as now. Not a decision: nothing is published.
   */
  restore(snapshot: AdmissionSnapshot): void {
    this.#level = snapshot.level;
    this.#bounds = boundsAt(this.#config, snapshot.level);
    this.#pressure = this.#config.enabled ? Math.min(snapshot.pressure, maxPressure(this.#bounds)) : 0;
    this.#law.restore(snapshot, this.steady.now(), this.#config.recovery.sustainMs);
    this.#decisions.restore(snapshot.seq, snapshot.decisions);
    this.update();
  }

  /** Registers `listener` for every later decision; returns the function that removes it. */
  subscribe(listener: AdmissionListener): () => void {
    return this.#decisions.subscribe(listener);
  }

  /**
   * Applies a new `admission` config (a reload): caps, floors and `enabled` take effect at once,
   * each probability that changes is a `reconfigured` decision; disabling drops the pressure to 0.
   * The pressure, counters and audit log stay; the ratio windows too unless `window` changed. When
   * the law's terms changed, the recovery timer, the ramp and the easing in progress restart; a
   * reload that leaves them as they were (another key edited, the same file read again, only
   * `retryAfter` changed: it is the 503's header, no term of the law) keeps them, so reloads do not
   * wind the pressure up again (review15b N4, review15d L2). Never throws.
   */
  reconfigure(config: AdmissionConfig): readonly AdmissionDecision[] {
    const out: AdmissionDecision[] = [];
    try {
      if (isDeepStrictEqual(lawTerms(config), lawTerms(this.#config))) {
        this.#config = config;
        this.update();
        return out;
      }
      const cause: Cause = {
        reason: 'reconfigured',
        message: (c, from, to) =>
          reconfiguredMessage(c, from, to, config.enabled, classBounds(this.#bounds, c)),
      };
      this.#change(out, cause, () => {
        if (Math.round(config.windowMs) !== this.windows.baseMs) {
          this.windows = new ClassWindows(config.windowMs, this.steady, this.requests);
          this.#law.newWindows();
        }
        this.#config = config;
        this.#bounds = boundsAt(config, this.#level);
        this.#pressure = config.enabled ? Math.min(this.#pressure, maxPressure(this.#bounds)) : 0;
        this.#law.restart();
      });
    } catch (error) {
      diag.error(`headroom: admission reload of ${this.id.service} failed; ignored`, error);
    }
    return out;
  }

  #enterLevel(level: DegradationLevel, out: AdmissionDecision[]): void {
    const from = this.#level;
    const cause: Cause = {
      reason: 'degradation-level',
      message: (c, p0, p1) => levelMessage(c, p0, p1, { from, to: level }, classBounds(this.#bounds, c)),
    };
    this.#change(out, cause, () => {
      // A level dropping hands its floors' share to the pressure, eased watched (review15g H2).
      const before = this.#bounds;
      this.#level = level;
      this.#bounds = boundsAt(this.#config, level);
      const dropped = levelIndex(level) < levelIndex(from);
      const pressure = pressureAtLevel(this.#pressure, { before, after: this.#bounds }, dropped);
      if (pressure > this.#pressure) this.#law.handOver(pressure, this.#config.recovery.sustainMs);
      this.#pressure = pressure;
    });
  }

  /** Runs `mutate`, then turns each class whose probability changed into a decision, lowest class first. */
  #change(out: AdmissionDecision[], cause: Cause, mutate: () => void): void {
    const before = this.counters.probabilities;
    mutate();
    this.update();
    const change = { before, after: this.counters.probabilities };
    this.#decisions.take(out, cause, change, this.#clock.now(), this.#level);
  }
}
