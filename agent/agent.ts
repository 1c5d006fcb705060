/**
 * The embedded agent: it composes the recorder (series of sliding windows), evaluation, adaptive
 * budgets and one degradation manager per service, and ticks them on an injected clock. It holds
 * no policy of its own; each part lives in its folder.
 */
import { channel } from 'node:diagnostics_channel';
import { diag } from '@opentelemetry/api';
import type { ResolvedConfig } from '../config/index.ts';
import type { AgentHealth } from './agent-health.ts';
import { BudgetResolver } from './budget/budget-resolver.ts';
import { configuredBudgetsMs } from './budget/configured-budgets.ts';
import { Evaluator } from './budget/evaluator.ts';
import { ModifierSet } from './budget/modifiers.ts';
import { SeriesTargets } from './budget/series-targets.ts';
import type { Verdict } from './budget/types.ts';
import { type Clock, systemClock, type TimerHandle } from './clock.ts';
import { type DecisionListener, type DegradationDecision, DegradationManager } from './degradation/index.ts';
import { LoadMonitor, type LoadSampler, nodeLoadSampler } from './load/index.ts';
import type { Recorder } from './recorder.ts';
import { TickSchedule } from './tick-schedule.ts';
import { histogramBounds, SeriesRegistry } from './window/index.ts';

export interface AgentOptions {
  readonly config: ResolvedConfig;
  /** @default the system clock */
  readonly clock?: Clock;
  /** Source of event-loop and CPU signals. @default nodeLoadSampler() */
  readonly loadSampler?: LoadSampler;
}

/** What one evaluation tick produced. */
export interface TickResult {
  readonly at: number;
  readonly verdicts: readonly Verdict[];
  readonly decisions: readonly DegradationDecision[];
  /** Wall time the tick took, ms (the agent's own overhead). */
  readonly durationMs: number;
}

export type TickListener = (result: TickResult) => void;

const violationChannel = channel('headroom:budget:violation');

const idleSampler: LoadSampler = {
  sample: () => ({ eventLoopDelayP99Ms: 0, eventLoopUtilization: 0, cpu: 0 }),
  close: () => {},
};

export class Agent implements Recorder {
  readonly config: ResolvedConfig;
  readonly clock: Clock;
  readonly registry: SeriesRegistry;
  readonly targets: SeriesTargets;
  readonly modifiers: ModifierSet;
  readonly load: LoadMonitor;
  readonly budgets: BudgetResolver;
  readonly #evaluator: Evaluator;
  readonly #managers = new Map<string, DegradationManager>();
  readonly #listeners = new Set<TickListener>();
  readonly #decisionListeners = new Set<DecisionListener>();
  #ticks = 0;
  #evaluationMsTotal = 0;
  readonly #schedule: TickSchedule;
  readonly #intervalsMs: readonly number[];
  #timer: TimerHandle | undefined;
  #lastTick: TickResult | undefined;

  constructor(options: AgentOptions) {
    const { config } = options;
    this.config = config;
    this.clock = options.clock ?? systemClock;
    this.registry = new SeriesRegistry({
      maxSeries: config.window.maxSeries,
      window: {
        windowMs: config.window.length,
        resolutionMs: config.window.resolution,
        relativeAccuracy: config.window.relativeAccuracy,
      },
      totalsBoundsMs: histogramBounds(configuredBudgetsMs(config)),
    });
    this.targets = new SeriesTargets(config);
    this.modifiers = new ModifierSet({ config: config.adaptive });
    this.load = new LoadMonitor({
      config: config.adaptive,
      clock: this.clock,
      // The real sampler runs a 10 ms histogram timer: only create it when scaling is on.
      sampler: options.loadSampler ?? (config.adaptive.enabled ? nodeLoadSampler() : idleSampler),
    });
    this.budgets = new BudgetResolver({
      config: config.adaptive,
      load: this.load,
      modifiers: this.modifiers,
    });
    this.#evaluator = new Evaluator({ targets: this.targets, budgets: this.budgets });
    const contextIntervals = Object.values(config.contexts).map(
      (c) => c.evaluationInterval ?? config.evaluation.interval,
    );
    this.#intervalsMs = [...new Set([config.evaluation.interval, ...contextIntervals])];
    this.#schedule = new TickSchedule(this.#intervalsMs);
  }

  record(
    service: string,
    operation: string,
    context: string,
    phase: string,
    durationMs: number,
    isError: boolean,
    endTimeMs: number,
  ): void {
    const series = this.registry.resolve(service, operation, context, phase);
    if (series.window.record(durationMs, isError, endTimeMs)) series.totals.record(durationMs, isError);
  }

  /** The degradation manager of a service, created on first use. */
  degradation(service: string): DegradationManager {
    let manager = this.#managers.get(service);
    if (manager === undefined) {
      manager = new DegradationManager({ config: this.config.degradation, clock: this.clock, service });
      this.#managers.set(service, manager);
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

  /** Every service with a degradation manager. */
  services(): string[] {
    return [...this.#managers.keys()];
  }

  /** Listens to the decisions of every service, present and future; returns the unsubscribe function. */
  onDecision(listener: DecisionListener): () => void {
    this.#decisionListeners.add(listener);
    return () => this.#decisionListeners.delete(listener);
  }

  /** The agent's own health, for its metrics. */
  health(): AgentHealth {
    let droppedInvalid = 0;
    let droppedLate = 0;
    for (const series of this.registry.list()) {
      droppedInvalid += series.window.droppedInvalid;
      droppedLate += series.window.droppedLate;
    }
    return {
      series: this.registry.size,
      seriesOverflowed: this.registry.overflowed,
      samplesDroppedInvalid: droppedInvalid,
      samplesDroppedLate: droppedLate,
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
    this.#timer = this.clock.every(this.#schedule.tickMs, () => {
      this.tick(this.#schedule.begin(this.clock.now(), this.#intervalsMs));
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
    try {
      verdicts = this.#evaluator.evaluate(this.registry.list(), at, (target) =>
        due(target.evaluationIntervalMs),
      );
      this.#publishViolations(verdicts);
      this.#decide(verdicts, decisions);
    } catch (error) {
      diag.error('headroom: evaluation tick failed', error);
    }
    const result = { at, verdicts, decisions, durationMs: performance.now() - startedMs };
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
    const byService = new Map<string, Verdict[]>();
    for (const service of this.#managers.keys()) byService.set(service, []);
    for (const verdict of verdicts) {
      // Phases explain where time went; the degradation level follows whole operations.
      if (verdict.series.phase !== '') continue;
      let list = byService.get(verdict.series.service);
      if (list === undefined) {
        list = [];
        byService.set(verdict.series.service, list);
      }
      list.push(verdict);
    }
    for (const [service, list] of byService) {
      const decision = this.degradation(service).observe(list);
      if (decision !== undefined) decisions.push(decision);
    }
  }

  #publishViolations(verdicts: readonly Verdict[]): void {
    if (!violationChannel.hasSubscribers) return;
    for (const verdict of verdicts) if (verdict.status === 'violated') violationChannel.publish(verdict);
  }
}
