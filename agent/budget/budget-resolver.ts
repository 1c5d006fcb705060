import { diag } from '@opentelemetry/api';
import type { DeepReadonly, HeadroomConfig } from '../../config/index.ts';
import type { ModifierSet } from './modifiers.ts';

type AdaptiveConfig = DeepReadonly<HeadroomConfig['adaptive']>;

/** Unknown QoS class names warned about at most once each, up to this many (names may come from spans). */
const MAX_WARNED_QOS_CLASSES = 100;

/** Anything that knows the current load factor; a `LoadMonitor` does. */
export interface LoadFactorSource {
  /** Dimensionless; 1 = budgets as configured. */
  readonly factor: number;
}

/** Options of a {@link BudgetResolver}. */
export interface BudgetResolverOptions {
  /** The parsed `adaptive` section (QoS classes, clamp bounds, enabled). */
  config: AdaptiveConfig;
  /** Read at every resolution, so the budget follows the load as it changes. */
  load: LoadFactorSource;
  /** The run-time modifiers, read at every resolution. */
  modifiers: ModifierSet;
}

/** How one effective budget came about. All factors are dimensionless. */
export interface BudgetResolution {
  /** Effective budget: base x `multiplier`, ms. */
  readonly budgetMs: number;
  /** load x modifiers x qos, clamped to [adaptive.clamp.min, adaptive.clamp.max]. */
  readonly multiplier: number;
  /** The load factor at resolution time. */
  readonly load: number;
  /** Product of the active modifiers that apply to the context; 1 when none. */
  readonly modifiers: number;
  /** Multiplier of the QoS class (the default class when none or an unknown one was given). */
  readonly qos: number;
  /** Whether the clamp changed the multiplier. */
  readonly clamped: boolean;
}

const DISABLED: Omit<BudgetResolution, 'budgetMs'> = Object.freeze({
  multiplier: 1,
  load: 1,
  modifiers: 1,
  qos: 1,
  clamped: false,
});

/**
 * Effective budgets: base budget x load factor x active modifiers for the context x QoS
 * multiplier, where everything but the base is clamped to [clamp.min, clamp.max]. With
 * `adaptive.enabled: false` the base budget is used exactly: no load, modifiers, QoS nor clamp.
 * An unknown QoS class falls back to `adaptive.qos.default` (logged once per name).
 * @example
 * const resolver = new BudgetResolver({ config: config.adaptive, load: monitor, modifiers });
 * resolver.effectiveBudgetMs(200, 'routine', 'premium'); // e.g. 240 under load 1.5 x premium 0.8
 */
export class BudgetResolver {
  readonly #enabled: boolean;
  readonly #load: LoadFactorSource;
  readonly #modifiers: ModifierSet;
  readonly #qosClasses: ReadonlyMap<string, number>;
  readonly #defaultQos: number;
  readonly #clampMin: number;
  readonly #clampMax: number;
  readonly #warnedQosClasses = new Set<string>();

  constructor({ config, load, modifiers }: BudgetResolverOptions) {
    this.#enabled = config.enabled;
    this.#load = load;
    this.#modifiers = modifiers;
    this.#qosClasses = new Map(Object.entries(config.qos.classes));
    // The schema guarantees the default class exists; 1 keeps a hand-built config harmless.
    this.#defaultQos = this.#qosClasses.get(config.qos.default) ?? 1;
    this.#clampMin = config.clamp.min;
    this.#clampMax = config.clamp.max;
  }

  /**
   * The effective budget of `context` with its breakdown.
   * @param baseBudgetMs the configured budget, ms
   * @param context the budget context (e.g. `routine`)
   * @param qosClass a key of `adaptive.qos.classes`; the default class when omitted or unknown
   */
  resolve(baseBudgetMs: number, context: string, qosClass?: string): BudgetResolution {
    if (!this.#enabled) return { budgetMs: baseBudgetMs, ...DISABLED };
    const load = this.#load.factor;
    const modifiers = this.#modifiers.multiplierFor(context);
    const qos = this.#qosMultiplier(qosClass);
    const raw = load * modifiers * qos;
    const multiplier = this.#clamp(raw);
    return {
      budgetMs: baseBudgetMs * multiplier,
      multiplier,
      load,
      modifiers,
      qos,
      clamped: multiplier !== raw,
    };
  }

  /** Same budget as {@link BudgetResolver.resolve}, ms, without allocating: for the evaluation loop. */
  effectiveBudgetMs(baseBudgetMs: number, context: string, qosClass?: string): number {
    if (!this.#enabled) return baseBudgetMs;
    const raw = this.#load.factor * this.#modifiers.multiplierFor(context) * this.#qosMultiplier(qosClass);
    return baseBudgetMs * this.#clamp(raw);
  }

  #clamp(multiplier: number): number {
    return Math.min(this.#clampMax, Math.max(this.#clampMin, multiplier));
  }

  #qosMultiplier(qosClass: string | undefined): number {
    if (qosClass === undefined) return this.#defaultQos;
    const multiplier = this.#qosClasses.get(qosClass);
    if (multiplier !== undefined) return multiplier;
    this.#warnUnknownQos(qosClass);
    return this.#defaultQos;
  }

  #warnUnknownQos(qosClass: string): void {
    if (this.#warnedQosClasses.has(qosClass) || this.#warnedQosClasses.size >= MAX_WARNED_QOS_CLASSES) return;
    this.#warnedQosClasses.add(qosClass);
    const known = [...this.#qosClasses.keys()].join(', ');
    diag.warn(
      `headroom: unknown QoS class "${qosClass}"; using the default class (adaptive.qos.classes has: ${known})`,
    );
  }
}
