/**
 * The config-derived parts of an agent, built together so a config reload can rebuild them while
 * the agent keeps what must survive: series data (when the window's shape is unchanged), active
 * modifiers, degradation levels and listeners.
 */
import { diag } from '@opentelemetry/api';
import type { ResolvedConfig } from '../config/index.ts';
import { BudgetResolver, type LoadFactorSource } from './budget/budget-resolver.ts';
import { classMultipliers, legacyQosWarning } from './budget/class-multipliers.ts';
import { configuredBudgetsMs } from './budget/configured-budgets.ts';
import { Evaluator } from './budget/evaluator.ts';
import { ModifierSet } from './budget/modifiers.ts';
import { SeriesTargets } from './budget/series-targets.ts';
import type { Clock } from './clock.ts';
import { CardinalityLimits, limitsOf } from './limits/index.ts';
import { LoadMonitor, type LoadSampler, nodeLoadSampler } from './load/index.ts';
import { TickSchedule } from './tick-schedule.ts';
import { histogramBounds, SeriesRegistry } from './window/index.ts';

export interface AgentParts {
  readonly config: ResolvedConfig;
  readonly registry: SeriesRegistry;
  readonly targets: SeriesTargets;
  readonly modifiers: ModifierSet;
  readonly load: LoadMonitor;
  readonly budgets: BudgetResolver;
  readonly evaluator: Evaluator;
  readonly schedule: TickSchedule;
  readonly intervalsMs: readonly number[];
  /** `window.maxSpanDuration`, ms: longer samples are dropped. */
  readonly maxDurationMs: number;
}

const idleSampler: LoadSampler = {
  sample: () => ({ eventLoopDelayP99Ms: 0, eventLoopUtilization: 0, cpu: 0 }),
  close: () => {},
};

/** How an agent's parts meet load (see `AgentOptions`). */
export interface PartOptions {
  readonly loadSampler: LoadSampler | undefined;
  readonly processLoad: boolean;
  /** Budgets take their load factor from here; the load monitor built when absent. */
  readonly budgetLoad: LoadFactorSource | undefined;
}

/**
 * Builds every config-derived part; `previous` parts are reused where the config allows. Without
 * `processLoad` the load factor stays 1 and nothing is sampled (collector mode).
 */
export function buildAgentParts(
  config: ResolvedConfig,
  clock: Clock,
  { loadSampler, processLoad, budgetLoad }: PartOptions,
  previous?: AgentParts,
): AgentParts {
  // One CardinalityLimits for the agent's life: its counters survive reloads.
  const limits = previous?.registry.limits ?? new CardinalityLimits();
  limits.reconfigure(limitsOf(config));
  const registry = sameShape(config, previous?.config) ? previous!.registry : newRegistry(config, limits);
  const targets = new SeriesTargets(config);
  const modifiers = new ModifierSet({ config: config.adaptive });
  for (const name of previous?.modifiers.active() ?? [])
    if (name in config.adaptive.modifiers) modifiers.set(name);
  const scaleByLoad = processLoad && config.adaptive.enabled;
  const load = new LoadMonitor({
    // Disabled, the monitor keeps the factor at 1; modifiers and class multipliers still follow `adaptive.enabled`.
    config: scaleByLoad ? config.adaptive : { ...config.adaptive, enabled: false },
    clock,
    // The real sampler runs a 10 ms histogram timer: only create it when scaling is on.
    sampler: loadSampler ?? (scaleByLoad ? nodeLoadSampler() : idleSampler),
    // An injected sampler serves every monitor a reload builds: its creator closes it.
    ownsSampler: loadSampler === undefined,
  });
  const classes = classMultipliers(config);
  // Once per configuration applied (start, each reload): the file still says adaptive.qos.
  const deprecation = legacyQosWarning(classes);
  if (deprecation !== undefined) diag.warn(deprecation);
  const budgets = new BudgetResolver({
    config: config.adaptive,
    classes: classes.multipliers,
    load: budgetLoad ?? load,
    modifiers,
  });
  const contextIntervals = Object.values(config.contexts).map(
    (c) => c.evaluationIntervalMs ?? config.evaluation.intervalMs,
  );
  const intervalsMs = [...new Set([config.evaluation.intervalMs, ...contextIntervals])];
  return {
    config,
    registry,
    targets,
    modifiers,
    load,
    budgets,
    evaluator: new Evaluator({ targets, budgets }),
    schedule: new TickSchedule(intervalsMs),
    intervalsMs,
    maxDurationMs: config.window.maxSpanDurationMs,
  };
}

function newRegistry(config: ResolvedConfig, limits: CardinalityLimits): SeriesRegistry {
  return new SeriesRegistry({
    limits,
    maxSeries: config.window.maxSeries,
    window: {
      windowMs: config.window.lengthMs,
      resolutionMs: config.window.resolutionMs,
      relativeAccuracy: config.window.relativeAccuracy,
    },
    totalsBoundsMs: histogramBounds(configuredBudgetsMs(config)),
  });
}

/**
 * Series data survives a reload unless the window's shape (length, resolution, accuracy) changed.
 * Series created before a reload keep the histogram bounds they were created with.
 */
function sameShape(config: ResolvedConfig, previous: ResolvedConfig | undefined): boolean {
  if (previous === undefined) return false;
  const { lengthMs, resolutionMs, relativeAccuracy } = config.window;
  const before = previous.window;
  return (
    lengthMs === before.lengthMs &&
    resolutionMs === before.resolutionMs &&
    relativeAccuracy === before.relativeAccuracy
  );
}
