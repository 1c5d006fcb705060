import type { DeepReadonly, HeadroomConfig } from '../../config/index.ts';
import { type Criticality, DEFAULT_CRITICALITY } from '../admission/criticality.ts';
import type { ModifierSet } from './modifiers.ts';

type AdaptiveConfig = DeepReadonly<HeadroomConfig['adaptive']>;

/** Anything that knows the current load factor; a `LoadMonitor` does. */
export interface LoadFactorSource {
  /** Dimensionless; 1 = budgets as configured. */
  readonly factor: number;
}

/** Options of a {@link BudgetResolver}. */
export interface BudgetResolverOptions {
  /** The parsed `adaptive` section (clamp bounds, enabled). */
  config: AdaptiveConfig;
  /**
   * Budget multiplier per criticality class (`classMultipliers(config).multipliers`, which maps a
   * deprecated `adaptive.qos`). @default 1 for every class
   */
  classes?: Readonly<Record<Criticality, number>>;
  /** Read at every resolution, so the budget follows the load as it changes. */
  load: LoadFactorSource;
  /** The run-time modifiers, read at every resolution. */
  modifiers: ModifierSet;
}

/** How one effective budget came about. All factors are dimensionless. */
export interface BudgetResolution {
  /** Effective budget: base x `multiplier`, ms. */
  readonly budgetMs: number;
  /** load x modifiers x class, clamped to [adaptive.clamp.min, adaptive.clamp.max]. */
  readonly multiplier: number;
  /** The load factor at resolution time. */
  readonly load: number;
  /** Product of the active modifiers that apply to the context; 1 when none. */
  readonly modifiers: number;
  /** Budget multiplier of the criticality class (`criticality.classes.<CLASS>.budgetMultiplier`). */
  readonly classMultiplier: number;
  /** Whether the clamp changed the multiplier. */
  readonly clamped: boolean;
}

const DISABLED: Omit<BudgetResolution, 'budgetMs'> = Object.freeze({
  multiplier: 1,
  load: 1,
  modifiers: 1,
  classMultiplier: 1,
  clamped: false,
});

const NO_MULTIPLIERS: Readonly<Record<Criticality, number>> = Object.freeze({
  CRITICAL_PLUS: 1,
  CRITICAL: 1,
  SHEDDABLE_PLUS: 1,
  SHEDDABLE: 1,
});

/**
 * Effective budgets: base budget x load factor x active modifiers for the context x the budget
 * multiplier of the criticality class, where everything but the base is clamped to [clamp.min,
 * clamp.max]. With `adaptive.enabled: false` the base budget is used exactly: no load, modifiers,
 * class multiplier nor clamp.
 * @example
 * const resolver = new BudgetResolver({ config: config.adaptive, classes, load: monitor, modifiers });
 * resolver.effectiveBudgetMs(200, 'routine', 'SHEDDABLE'); // e.g. 600 under load 1.5 x SHEDDABLE 2
 */
export class BudgetResolver {
  readonly #enabled: boolean;
  readonly #load: LoadFactorSource;
  readonly #modifiers: ModifierSet;
  readonly #classes: Readonly<Record<Criticality, number>>;
  readonly #clampMin: number;
  readonly #clampMax: number;

  constructor({ config, classes, load, modifiers }: BudgetResolverOptions) {
    this.#enabled = config.enabled;
    this.#load = load;
    this.#modifiers = modifiers;
    this.#classes = classes ?? NO_MULTIPLIERS;
    this.#clampMin = config.clamp.min;
    this.#clampMax = config.clamp.max;
  }

  /**
   * The effective budget of `context` with its breakdown.
   * @param baseBudgetMs the configured budget, ms
   * @param context the budget context (e.g. `routine`)
   * @param criticality the class whose budget multiplier applies; @default CRITICAL
   */
  resolve(
    baseBudgetMs: number,
    context: string,
    criticality: Criticality = DEFAULT_CRITICALITY,
  ): BudgetResolution {
    if (!this.#enabled) return { budgetMs: baseBudgetMs, ...DISABLED };
    const load = this.#load.factor;
    const modifiers = this.#modifiers.multiplierFor(context);
    const classMultiplier = this.#classes[criticality];
    const raw = load * modifiers * classMultiplier;
    const multiplier = this.#clamp(raw);
    return {
      budgetMs: baseBudgetMs * multiplier,
      multiplier,
      load,
      modifiers,
      classMultiplier,
      clamped: multiplier !== raw,
    };
  }

  /**
   * Same budget as {@link BudgetResolver.resolve}, ms, without allocating: for the evaluation loop
   * and the record path. @param criticality @default CRITICAL
   */
  effectiveBudgetMs(
    baseBudgetMs: number,
    context: string,
    criticality: Criticality = DEFAULT_CRITICALITY,
  ): number {
    if (!this.#enabled) return baseBudgetMs;
    const raw = this.#load.factor * this.#modifiers.multiplierFor(context) * this.#classes[criticality];
    return baseBudgetMs * this.#clamp(raw);
  }

  /**
   * The budget admission steers on, ms: {@link BudgetResolver.effectiveBudgetMs} at load factor 1,
   * i.e. base x active modifiers for the context x the class's budget multiplier, clamped to
   * [clamp.min, clamp.max]; the base exactly with `adaptive.enabled: false`. The load factor relaxes
   * verdicts while this process is busy, but a busy process is exactly when admission must act
   * (Google SRE, "Handling Overload": shed when the service is over what it can serve): a ratio
   * against the load-relaxed budget would halve under CPU overload and stop the shedding.
   * @param criticality the class whose budget multiplier applies; @default CRITICAL
   */
  loadFreeBudgetMs(
    baseBudgetMs: number,
    context: string,
    criticality: Criticality = DEFAULT_CRITICALITY,
  ): number {
    if (!this.#enabled) return baseBudgetMs;
    return baseBudgetMs * this.#clamp(this.#modifiers.multiplierFor(context) * this.#classes[criticality]);
  }

  #clamp(multiplier: number): number {
    return Math.min(this.#clampMax, Math.max(this.#clampMin, multiplier));
  }
}
