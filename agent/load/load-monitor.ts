import { diag } from '@opentelemetry/api';
import type { DeepReadonly, HeadroomConfig } from '../../config/index.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import type { LoadSampler, LoadSignals } from './load-signals.ts';

type AdaptiveConfig = DeepReadonly<HeadroomConfig['adaptive']>;
type LoadConfig = AdaptiveConfig['load'];
type LoadLevel = LoadConfig['levels'][number];

/** The level a {@link LoadMonitor} reports while no configured level applies. */
const NORMAL_LEVEL = 'normal';

/** Options of a {@link LoadMonitor}. */
export interface LoadMonitorOptions {
  /** The parsed `adaptive` section (levels, sample interval in ms, factor bounds, rate limit). */
  config: AdaptiveConfig;
  /** Source of `now()` and of the sampling timer. */
  clock: Clock;
  /** Where the signals come from. */
  sampler: LoadSampler;
  /**
   * Whether `stop()` closes `sampler`: true when the monitor's creator made the sampler for it,
   * false when the sampler belongs to someone else (one injected into the agent outlives every
   * monitor a reload creates; whoever created it closes it). @default true
   */
  ownsSampler?: boolean;
}

/** What the monitor knows after its latest sample. */
export interface LoadState {
  /** The factor budgets are scaled by now (rate limited toward `targetFactor`). */
  readonly factor: number;
  /** The factor of the level that applies, clamped to [minFactor, maxFactor]. */
  readonly targetFactor: number;
  /** Name of the level that applies; {@link NORMAL_LEVEL} when none does. */
  readonly level: string;
  /** The latest successful reading; `undefined` before the first one (and always when disabled). */
  readonly signals: LoadSignals | undefined;
}

/**
 * Turns load signals into the load factor of the budgets. Each sample picks, among the levels
 * with at least one threshold reached, the one with the largest factor (ties: the one configured
 * last), clamps it to [minFactor, maxFactor] and moves the current factor toward it by at most
 * `maxChangePerSecond` per second elapsed since the previous sample, up and down alike.
 * With `adaptive.enabled: false` the factor is 1 and nothing is sampled.
 * @example
 * const monitor = new LoadMonitor({ config: config.adaptive, clock: systemClock, sampler: nodeLoadSampler() });
 * monitor.start();
 * const budgetMs = 200 * monitor.factor;
 */
export class LoadMonitor {
  readonly #config: AdaptiveConfig;
  readonly #clock: Clock;
  readonly #sampler: LoadSampler;
  readonly #ownsSampler: boolean;
  #factor: number;
  #targetFactor: number;
  #level = NORMAL_LEVEL;
  #signals: LoadSignals | undefined;
  /** Time of the previous successful sample (or of start), ms since the epoch: the rate limit's base. */
  #lastSampleMs: number;
  #timer: TimerHandle | undefined;
  #stopped = false;
  /** True while the sampler keeps failing, so a broken sampler logs once, not every interval. */
  #failing = false;

  constructor({ config, clock, sampler, ownsSampler = true }: LoadMonitorOptions) {
    this.#config = config;
    this.#clock = clock;
    this.#sampler = sampler;
    this.#ownsSampler = ownsSampler;
    this.#factor = config.enabled ? clampFactor(1, config.load) : 1;
    this.#targetFactor = this.#factor;
    this.#lastSampleMs = clock.now();
  }

  /** The current load factor (dimensionless, 1 = budgets as configured). */
  get factor(): number {
    return this.#factor;
  }

  /** A snapshot of the factor, its target, the level and the latest signals. */
  state(): LoadState {
    return {
      factor: this.#factor,
      targetFactor: this.#targetFactor,
      level: this.#level,
      signals: this.#signals,
    };
  }

  /** Samples every `load.sampleInterval` ms on the clock; a no-op when disabled, started or stopped. */
  start(): void {
    if (!this.#config.enabled || this.#timer !== undefined) return;
    if (this.#stopped) {
      diag.warn('headroom: LoadMonitor.start() after stop() is ignored; create a new monitor');
      return;
    }
    this.#lastSampleMs = this.#clock.now();
    this.#timer = this.#clock.every(this.#config.load.sampleIntervalMs, () => this.tick());
  }

  /** Stops sampling and closes the sampler if it owns it; the factor keeps its last value. Idempotent. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    if (!this.#ownsSampler) return;
    try {
      this.#sampler.close();
    } catch (error) {
      diag.warn('headroom: closing the load sampler failed', error);
    }
  }

  /** Takes one sample and updates the factor. Never throws; a failed sample keeps the factor. */
  tick(): void {
    if (!this.#config.enabled || this.#stopped) return;
    const signals = this.#read();
    if (signals === undefined) return;
    const load = this.#config.load;
    const nowMs = this.#clock.now();
    // A wall clock stepping back must not move the factor backwards in time: no negative elapsed.
    const elapsedSeconds = Math.max(0, nowMs - this.#lastSampleMs) / 1000;
    const level = levelFor(load.levels, signals);
    this.#lastSampleMs = nowMs;
    this.#signals = signals;
    this.#level = level?.name ?? NORMAL_LEVEL;
    this.#targetFactor = clampFactor(level?.factor ?? 1, load);
    this.#factor = stepToward(this.#factor, this.#targetFactor, load.maxChangePerSecond * elapsedSeconds);
  }

  #read(): LoadSignals | undefined {
    try {
      const signals = this.#sampler.sample();
      // The rest of tick() reads fields only: rejecting non-objects here keeps it from throwing.
      if (typeof signals !== 'object' || signals === null) throw new TypeError(`sampler returned ${signals}`);
      this.#failing = false;
      return signals;
    } catch (error) {
      if (!this.#failing) diag.warn('headroom: load sampling failed; keeping the load factor', error);
      this.#failing = true;
      return undefined;
    }
  }
}

/** The applying level with the largest factor (the last one on ties); `undefined` when none applies. */
function levelFor(levels: readonly LoadLevel[], signals: LoadSignals): LoadLevel | undefined {
  let chosen: LoadLevel | undefined;
  for (const level of levels) {
    if (applies(level, signals) && (chosen === undefined || level.factor >= chosen.factor)) chosen = level;
  }
  return chosen;
}

/** A level applies when any one of its thresholds is reached (NaN signals reach none). */
function applies(level: LoadLevel, signals: LoadSignals): boolean {
  return (
    reached(signals.eventLoopDelayP99Ms, level.eventLoopDelayP99Ms) ||
    reached(signals.eventLoopUtilization, level.eventLoopUtilization) ||
    reached(signals.cpu, level.cpu)
  );
}

function reached(value: number, threshold: number | undefined): boolean {
  return threshold !== undefined && value >= threshold;
}

function clampFactor(factor: number, load: LoadConfig): number {
  return Math.min(load.maxFactor, Math.max(load.minFactor, factor));
}

/** Moves `current` toward `target` by at most `maxStep`, landing exactly on `target` when within reach. */
function stepToward(current: number, target: number, maxStep: number): number {
  if (Math.abs(target - current) <= maxStep) return target;
  return current < target ? current + maxStep : current - maxStep;
}
