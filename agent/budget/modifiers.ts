import type { DeepReadonly, HeadroomConfig } from '../../config/index.ts';
import { didYouMean } from '../../config/index.ts';
import { InvalidArgumentError } from '../../errors.ts';

type AdaptiveConfig = DeepReadonly<HeadroomConfig['adaptive']>;
type Modifier = AdaptiveConfig['modifiers'][string];

/** Options of a {@link ModifierSet}. */
export interface ModifierSetOptions {
  /** The parsed `adaptive` section; the names under `adaptive.modifiers` are the ones that can be set. */
  config: AdaptiveConfig;
}

/**
 * The named budget modifiers a service switches on and off at run time (a sale, a maintenance
 * window). Each active modifier multiplies the budgets of the contexts it lists, or of every
 * context when it lists none. The product per context is recomputed on `set()`/`clear()`, so
 * `multiplierFor()` is a single map lookup on the evaluation path.
 * @example
 * const modifiers = new ModifierSet({ config: config.adaptive });
 * modifiers.set('black-friday'); // budgets of the contexts it lists now scale by its factor
 */
export class ModifierSet {
  readonly #known: ReadonlyMap<string, Modifier>;
  /** Active names in activation order. */
  readonly #active = new Set<string>();
  #activeNames: readonly string[] = Object.freeze([]);
  /** Product of the active modifiers that apply to every context. */
  #allContexts = 1;
  /** Per context some active modifier lists: `#allContexts` times the factors of those modifiers. */
  #byContext: ReadonlyMap<string, number> = new Map();

  constructor({ config }: ModifierSetOptions) {
    this.#known = new Map(Object.entries(config.modifiers));
  }

  /**
   * Activates a configured modifier. Returns true (also when it was already active).
   * @throws {InvalidArgumentError} `HEADROOM_ERR_API_INVALID_ARGUMENT` for a name not under
   * `adaptive.modifiers` (a host bug), with the known names and the closest one
   */
  set(name: string): boolean {
    this.#check(name);
    if (!this.#active.has(name)) {
      this.#active.add(name);
      this.#recompute();
    }
    return true;
  }

  /** Deactivates a configured modifier; same contract as {@link ModifierSet.set}. */
  clear(name: string): boolean {
    this.#check(name);
    if (this.#active.delete(name)) this.#recompute();
    return true;
  }

  /** Whether the modifier is active now; false for unknown names (without a warning). */
  has(name: string): boolean {
    return this.#active.has(name);
  }

  /** The active modifier names, in activation order (a frozen array, replaced on each change). */
  active(): readonly string[] {
    return this.#activeNames;
  }

  /** Product of the factors of the active modifiers that apply to `context`; 1 when none does. */
  multiplierFor(context: string): number {
    return this.#byContext.get(context) ?? this.#allContexts;
  }

  #check(name: string): void {
    if (this.#known.has(name)) return;
    const names = [...this.#known.keys()];
    const hint = typeof name === 'string' ? didYouMean(name, names) : undefined;
    const mean = hint === undefined ? '' : ` (did you mean "${hint}"?)`;
    throw new InvalidArgumentError(
      'name',
      `unknown adaptive modifier ${JSON.stringify(name)}${mean}; adaptive.modifiers has: ${names.join(', ') || '(none configured)'}`,
    );
  }

  #recompute(): void {
    let allContexts = 1;
    for (const name of this.#active) {
      const modifier = this.#known.get(name)!;
      if (modifier.contexts === undefined) allContexts *= modifier.factor;
    }
    const byContext = new Map<string, number>();
    for (const name of this.#active) {
      const modifier = this.#known.get(name)!;
      // A context listed twice by one modifier still counts once.
      for (const context of new Set(modifier.contexts)) {
        byContext.set(context, (byContext.get(context) ?? allContexts) * modifier.factor);
      }
    }
    this.#allContexts = allContexts;
    this.#byContext = byContext;
    this.#activeNames = Object.freeze([...this.#active]);
  }
}
