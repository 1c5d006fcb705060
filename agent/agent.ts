/**
 * The embedded agent: it composes the recorder (series of sliding windows), evaluation, adaptive
 * budgets and one degradation manager per service, and ticks them on an injected clock. It holds
 * no policy of its own; each part lives in its folder.
 */
import { randomUUID } from 'node:crypto';
import { channel } from 'node:diagnostics_channel';
import { diag } from '@opentelemetry/api';
import type { ResolvedConfig } from '../config/index.ts';
import type { AdmissionController } from './admission/admission-controller.ts';
import type { AdmissionSampleTap } from './admission/admission-gate.ts';
import { AdmissionRegistry } from './admission/admission-registry.ts';
import type { AdmissionSnapshot } from './admission/admission-snapshot.ts';
import type { AdmissionDecision, AdmissionListener } from './admission/types.ts';
import type { AgentHealth } from './agent-health.ts';
import { type AgentParts, buildAgentParts } from './agent-parts.ts';
import type { BudgetResolver, LoadFactorSource } from './budget/budget-resolver.ts';
import type { ModifierSet } from './budget/modifiers.ts';
import type { SeriesTargets } from './budget/series-targets.ts';
import type { Verdict } from './budget/types.ts';
import { type Clock, systemClock, type TimerHandle } from './clock.ts';
import {
  type DecisionListener,
  type DegradationDecision,
  DegradationManager,
  type DegradationSnapshot,
  type DegradationState,
  parseSnapshot,
} from './degradation/index.ts';
import { OVERFLOW, truncate } from './limits/index.ts';
import type { LoadMonitor, LoadSampler } from './load/index.ts';
import { operationJudge } from './operation-judge.ts';
import { RecordPath, type SampleTap } from './record-path.ts';
import type { Recorder, SeriesHandle, SeriesNames } from './recorder.ts';
import { BUDGET_VIOLATION_CHANNEL } from './semconv.ts';
import { type ServiceId, serviceId, serviceKey } from './service-id.ts';
import { type ServiceActivity, ServiceSweep } from './service-sweep.ts';
import type { SeriesRegistry } from './window/index.ts';

export interface AgentOptions {
  readonly config: ResolvedConfig;
  /** @default the system clock */
  readonly clock?: Clock;
  /**
   * Source of event-loop and CPU signals. An injected sampler stays yours: the agent samples it
   * across reloads and never closes it; close it after `stop()`. @default nodeLoadSampler(),
   * created and closed by the agent
   */
  readonly loadSampler?: LoadSampler;
  /**
   * Whether budgets scale with this process's own load (event loop, CPU). Collector mode turns it
   * off: the collector's load says nothing about the remote services it judges. Modifiers and class
   * multipliers still apply. @default true
   */
  readonly processLoad?: boolean;
  /**
   * Where effective budgets take their load factor from instead of this agent's own load monitor:
   * a cluster worker follows the factor its primary computed from the whole group's load.
   * @default the agent's load monitor
   */
  readonly budgetLoad?: LoadFactorSource;
  /** Uniform draws in [0, 1) that decide each admission (`admit()`). @default Math.random */
  readonly random?: () => number;
}

/** What one evaluation tick produced. */
export interface TickResult {
  readonly at: number;
  readonly verdicts: readonly Verdict[];
  readonly decisions: readonly DegradationDecision[];
  /** Changes of admission probabilities the tick caused, after the degradation decisions. */
  readonly admissionDecisions: readonly AdmissionDecision[];
  /** Wall time the tick took, ms (the agent's own overhead). */
  readonly durationMs: number;
}

export type TickListener = (result: TickResult) => void;

/** Called when a service's state is dropped, with its last state (level NONE, no override). */
export type EvictionListener = (id: ServiceId, finalState: DegradationState) => void;

const violationChannel = channel(BUDGET_VIOLATION_CHANNEL);

export class Agent implements Recorder {
  readonly clock: Clock;
  /**
   * This agent's identity: a random UUID drawn when it is created, so new at every process start
   * (even when state is restored). The decision stream carries it, so a remote client notices a
   * restart and drops what the previous agent told it.
   */
  readonly instanceId: string = randomUUID();
  readonly #loadSampler: LoadSampler | undefined;
  readonly #processLoad: boolean;
  readonly #budgetLoad: LoadFactorSource | undefined;
  #parts: AgentParts;
  /** By {@link serviceKey}: one manager per (namespace, service). */
  readonly #managers = new Map<string, DegradationManager>();
  readonly #listeners = new Set<TickListener>();
  readonly #decisionListeners = new Set<DecisionListener>();
  readonly #evictionListeners = new Set<EvictionListener>();
  readonly #sweep = new ServiceSweep();
  #seriesEvicted = 0;
  #servicesEvicted = 0;
  #ticks = 0;
  #evaluationMsTotal = 0;
  #timer: TimerHandle | undefined;
  #lastTick: TickResult | undefined;
  readonly #path: RecordPath;
  readonly #admission: AdmissionRegistry;

  constructor(options: AgentOptions) {
    this.clock = options.clock ?? systemClock;
    this.#loadSampler = options.loadSampler;
    this.#processLoad = options.processLoad ?? true;
    this.#budgetLoad = options.budgetLoad;
    this.#parts = buildAgentParts(options.config, this.clock, this.#partOptions());
    this.#path = new RecordPath(this.#parts.registry, this.#parts.maxDurationMs);
    const { admission, api } = options.config;
    this.#admission = new AdmissionRegistry({
      config: admission,
      clock: this.clock,
      random: options.random,
      auditLogSize: api.historySize,
    });
    this.#sweep.addSource(this.#admission.activity);
    this.#path.judge = operationJudge(this);
  }

  /** The configuration in force. */
  get config(): ResolvedConfig {
    return this.#parts.config;
  }

  get registry(): SeriesRegistry {
    return this.#parts.registry;
  }

  get targets(): SeriesTargets {
    return this.#parts.targets;
  }

  /** Named budget modifiers, switched at run time. */
  get modifiers(): ModifierSet {
    return this.#parts.modifiers;
  }

  get load(): LoadMonitor {
    return this.#parts.load;
  }

  get budgets(): BudgetResolver {
    return this.#parts.budgets;
  }

  /**
   * Applies a new configuration (a reload) without a restart: budgets, rules-derived targets,
   * adaptive scaling and degradation settings change at once; series data, active modifiers,
   * degradation levels and overrides survive. Series data is reset only when the window's
   * shape (length, resolution, accuracy) changed.
   */
  reconfigure(config: ResolvedConfig): void {
    const running = this.#timer !== undefined;
    this.stop();
    this.#parts = buildAgentParts(config, this.clock, this.#partOptions(), this.#parts);
    this.#path.rebind(this.#parts.registry, this.#parts.maxDurationMs);
    for (const manager of this.#managers.values()) manager.reconfigure(config.degradation);
    this.#admission.reconfigure(config.admission, config.api.historySize);
    if (running) this.start();
  }

  #partOptions() {
    return { loadSampler: this.#loadSampler, processLoad: this.#processLoad, budgetLoad: this.#budgetLoad };
  }

  /**
   * Sets (or, with `undefined`, removes) the one {@link SampleTap} that sees every sample a
   * series accepted: a cluster worker's delta buffer.
   */
  tapSamples(tap: SampleTap | undefined): void {
    this.#path.tap = tap;
  }

  /** Sets (or removes) the one tap that sees every ratio an admission controller accepted: a cluster worker's. */
  tapAdmission(tap: AdmissionSampleTap | undefined): void {
    this.#admission.tap(tap);
  }

  /**
   * The handle of one series, for recording finished operations; never throws when recording. A
   * duration over `window.maxSpanDuration` is dropped (reason `duration`: a span that started at
   * 1 ns would otherwise drag the percentiles for a whole window), and so is an end time before
   * the `notBeforeMs` given to `record` (reason `late`: the caller's oldest end time still inside
   * the window at its present). Other refusals are the window's. See {@link Recorder.series}.
   */
  series(names: SeriesNames): SeriesHandle {
    return this.#path.series(names);
  }

  /**
   * The degradation manager of a service, created on first use (names cut to `limits.nameLength`).
   * @param namespace `service.namespace` of the service; '' when none
   */
  degradation(service: string, namespace = ''): DegradationManager {
    service = truncate(service, this.registry.limits.nameLength);
    namespace = truncate(namespace, this.registry.limits.nameLength);
    const key = serviceKey({ namespace, service });
    let manager = this.#managers.get(key);
    if (manager === undefined) {
      manager = new DegradationManager({
        config: this.config.degradation,
        clock: this.clock,
        service,
        namespace,
        auditLogSize: this.config.api.historySize,
      });
      this.#managers.set(key, manager);
      manager.subscribe((decision) => {
        for (const listener of this.#decisionListeners) {
          try {
            listener(decision);
          } catch (error) {
            diag.error('headroom: a decision listener threw', error);
          }
        }
      });
    }
    return manager;
  }

  /**
   * The admission controller of a service (load shedding by criticality), created on first use
   * with the service's degradation manager and dropped with it; ticked after it with its level.
   * @param namespace `service.namespace` of the service; '' when none
   */
  admission(service: string, namespace = ''): AdmissionController {
    const { id } = this.degradation(service, namespace);
    return this.#admission.get(id);
  }

  /** Listens to the admission decisions of every service, present and future; returns the unsubscribe function. */
  onAdmissionDecision(listener: AdmissionListener): () => void {
    return this.#admission.subscribe(listener);
  }

  /** Each service's admission state as plain data, by {@link serviceKey}, for a checkpoint. */
  admissionSnapshots(): Map<string, AdmissionSnapshot> {
    return this.#admission.snapshots();
  }

  /**
   * Restores admission states (shed pressure, audit log) from a checkpoint, at start before any
   * span, after the degradation states; unreadable values are dropped and reported, never thrown.
   */
  restoreAdmission(values: readonly unknown[]): { restored: number; dropped: number } {
    return this.#admission.restore(values, (id) => this.admission(id.service, id.namespace));
  }

  /** Each service's degradation state as plain data, by {@link serviceKey}, for a checkpoint. */
  degradationSnapshots(): Map<string, DegradationSnapshot> {
    const snapshots = new Map<string, DegradationSnapshot>();
    for (const [key, manager] of this.#managers) snapshots.set(key, manager.snapshot());
    return snapshots;
  }

  /**
   * Restores degradation states from a checkpoint, at start before any span. A value that is not a
   * snapshot this version reads is dropped and reported through `diag`, never thrown.
   * @returns how many were restored and how many dropped
   */
  restoreDegradation(values: readonly unknown[]): { restored: number; dropped: number } {
    let restored = 0;
    for (const value of values) {
      const snapshot = parseSnapshot(value);
      if (typeof snapshot === 'string') {
        diag.warn(`headroom: a stored degradation state was dropped: ${snapshot}`);
        continue;
      }
      this.degradation(snapshot.service, snapshot.namespace).restore(snapshot);
      restored++;
    }
    return { restored, dropped: values.length - restored };
  }

  /** Every service with a degradation manager, in creation order. */
  services(): ServiceId[] {
    return [...this.#managers.values()].map((manager) => manager.id);
  }

  /** Whether a service has a degradation manager (without creating one). */
  hasService(service: string, namespace = ''): boolean {
    return this.#managers.has(serviceKey({ namespace, service }));
  }

  /** Listens to the decisions of every service, present and future; returns the unsubscribe function. */
  onDecision(listener: DecisionListener): () => void {
    this.#decisionListeners.add(listener);
    return () => this.#decisionListeners.delete(listener);
  }

  /**
   * Listens to services being forgotten after `limits.idleTime` idle at NONE (see
   * {@link addServiceActivity}); returns the unsubscribe function.
   */
  onServiceEvicted(listener: EvictionListener): () => void {
    this.#evictionListeners.add(listener);
    return () => this.#evictionListeners.delete(listener);
  }

  /**
   * Adds a source that keeps services from eviction while it reports them active (a firing alert,
   * the service directory's last sighting; `Infinity` pins one); returns the removal function.
   */
  addServiceActivity(source: ServiceActivity): () => void {
    return this.#sweep.addSource(source);
  }

  /** Whether the agent keeps anything of `service` (in `namespace`): a degradation manager or a series. */
  holdsService(service: string, namespace = ''): boolean {
    return this.hasService(service, namespace) || this.registry.hasService(service, namespace);
  }

  /** Series removed by idle eviction since the agent was created. */
  get seriesEvicted(): number {
    return this.#seriesEvicted;
  }

  /** The agent's own health, for its metrics. */
  health(): AgentHealth {
    const retired = this.registry.retiredDrops;
    let droppedInvalid = retired.invalid;
    let droppedLate = this.#path.droppedLate + retired.late;
    for (const series of this.registry.list()) {
      droppedInvalid += series.window.droppedInvalid;
      droppedLate += series.window.droppedLate;
    }
    return {
      series: this.registry.size,
      seriesOverflowed: this.registry.overflowed,
      seriesEvicted: this.#seriesEvicted,
      servicesEvicted: this.#servicesEvicted,
      overflowed: this.registry.limits.overflowed(),
      truncated: this.registry.limits.truncated(),
      samplesDroppedInvalid: droppedInvalid,
      samplesDroppedLate: droppedLate,
      samplesDroppedDuration: this.#path.droppedDuration,
      ticks: this.#ticks,
      evaluationSecondsTotal: this.#evaluationMsTotal / 1000,
      lastEvaluationSeconds: (this.#lastTick?.durationMs ?? 0) / 1000,
    };
  }

  /** Listens to every tick's result; returns the unsubscribe function. */
  onTick(listener: TickListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The last tick's result, if any. */
  get lastTick(): TickResult | undefined {
    return this.#lastTick;
  }

  /** Starts ticking and sampling load; timers never keep the process alive. Idempotent. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.load.start();
    this.#timer = this.clock.every(this.#parts.schedule.tickMs, () => {
      this.tick(this.#parts.schedule.begin(this.clock.now(), this.#parts.intervalsMs));
    });
  }

  /** Stops the timers. Idempotent. */
  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.load.stop();
  }

  /**
   * Evaluates series and feeds each service's degradation manager. Never throws. Called by the
   * agent's timer with the intervals due; called by hand, it evaluates every context.
   */
  tick(due: (intervalMs: number) => boolean = () => true): TickResult {
    const startedMs = performance.now();
    const at = this.clock.now();
    let verdicts: Verdict[] = [];
    const decisions: DegradationDecision[] = [];
    let admissionDecisions: AdmissionDecision[] = [];
    try {
      verdicts = this.#parts.evaluator.evaluate(this.registry.list(), at, (target) =>
        due(target.evaluationIntervalMs),
      );
      this.#publishViolations(verdicts);
      this.#decide(verdicts, decisions);
      // Admission steps once per evaluation.interval, however often faster contexts make the agent tick.
      if (due(this.config.evaluation.intervalMs))
        admissionDecisions = this.#admission.observe(
          (id) => this.degradation(id.service, id.namespace).level,
        );
      this.#evictIdle(at);
    } catch (error) {
      diag.error('headroom: evaluation tick failed', error);
    }
    const durationMs = performance.now() - startedMs;
    const result = { at, verdicts, decisions, admissionDecisions, durationMs };
    this.#lastTick = result;
    this.#ticks++;
    this.#evaluationMsTotal += result.durationMs;
    for (const listener of this.#listeners) {
      try {
        listener(result);
      } catch (error) {
        diag.error('headroom: a tick listener threw', error);
      }
    }
    return result;
  }

  #decide(verdicts: readonly Verdict[], decisions: DegradationDecision[]): void {
    const byService = new Map<string, { id: ServiceId; list: Verdict[] }>();
    for (const [key, manager] of this.#managers) byService.set(key, { id: manager.id, list: [] });
    for (const verdict of verdicts) {
      // Phases explain where time went; the degradation level follows whole operations. The
      // overflow service gathers many services: no one's level follows from it.
      const { series } = verdict;
      if (series.phase !== '' || series.service === OVERFLOW || series.namespace === OVERFLOW) continue;
      const key = serviceKey(series);
      let entry = byService.get(key);
      if (entry === undefined) {
        entry = { id: serviceId(series.namespace, series.service), list: [] };
        byService.set(key, entry);
      }
      entry.list.push(verdict);
    }
    for (const { id, list } of byService.values()) {
      const decision = this.degradation(id.service, id.namespace).observe(list);
      if (decision !== undefined) decisions.push(decision);
    }
  }

  #evictIdle(nowMs: number): void {
    const swept = this.#sweep.sweep(this.registry, this.#managers, nowMs, this.config.limits.idleTimeMs);
    this.#seriesEvicted += swept.series;
    for (const key of swept.services) {
      const manager = this.#managers.get(key) as DegradationManager;
      const finalState = manager.state();
      this.#managers.delete(key);
      this.#admission.evict(key);
      this.#servicesEvicted++;
      for (const listener of this.#evictionListeners) {
        try {
          listener(manager.id, finalState);
        } catch (error) {
          diag.error('headroom: an eviction listener threw', error);
        }
      }
    }
  }

  #publishViolations(verdicts: readonly Verdict[]): void {
    if (!violationChannel.hasSubscribers) return;
    for (const verdict of verdicts) if (verdict.status === 'violated') violationChannel.publish(verdict);
  }
}
