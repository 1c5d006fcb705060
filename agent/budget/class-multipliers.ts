/**
 * The budget multiplier of each criticality class. Criticality and QoS are one concept: the
 * classes' `criticality.classes.<CLASS>.budgetMultiplier` replace the deprecated `adaptive.qos`
 * classes, which are still accepted and mapped here so a configuration written for them keeps the
 * budgets it had (no API ever passed a QoS class: only `adaptive.qos.default` ever applied).
 */
import type { ResolvedConfig } from '../../config/index.ts';
import { CRITICALITIES, type Criticality, DEFAULT_CRITICALITY } from '../admission/criticality.ts';

/** The multipliers in force and what became of each deprecated `adaptive.qos` key. */
export interface ClassMultipliers {
  /** Dimensionless, per class; 1 for a class nothing sets. */
  readonly multipliers: Readonly<Record<Criticality, number>>;
  /**
   * One entry per `adaptive.qos` key, in the file's order (the default class first): the new key it
   * now sets, or why it is ignored. Empty when the configuration has no `adaptive.qos`.
   */
  readonly legacy: readonly string[];
}

/**
 * Each class's multiplier: `criticality.classes.<CLASS>.budgetMultiplier` when set; else, from a
 * deprecated `adaptive.qos`, the default class's multiplier for CRITICAL (the class of every
 * operation nothing classifies, so the budgets stay as they were) and a QoS class named like a
 * criticality class (any case: `sheddable` is SHEDDABLE) for that class; else 1. Any other QoS
 * class is ignored (reported in `legacy`).
 */
export function classMultipliers(config: Pick<ResolvedConfig, 'adaptive' | 'criticality'>): ClassMultipliers {
  const configured = config.criticality.classes;
  const multipliers = Object.fromEntries(
    CRITICALITIES.map((criticality) => [criticality, configured[criticality].budgetMultiplier ?? 1]),
  ) as Record<Criticality, number>;
  const qos = config.adaptive.qos;
  if (qos === undefined) return { multipliers: Object.freeze(multipliers), legacy: [] };
  const legacy: string[] = [];
  /** Sets `criticality` from the key `key` (multiplier `factor`) unless the new section does. */
  const map = (key: string, factor: number, criticality: Criticality): void => {
    if (configured[criticality].budgetMultiplier === undefined) {
      multipliers[criticality] = factor;
      legacy.push(`${key} (x${factor}) -> criticality.classes.${criticality}.budgetMultiplier`);
    } else {
      legacy.push(`${key} (x${factor}) ignored: criticality.classes.${criticality}.budgetMultiplier is set`);
    }
  };
  const defaultFactor = qos.classes[qos.default] as number;
  map(`adaptive.qos.default "${qos.default}"`, defaultFactor, DEFAULT_CRITICALITY);
  for (const [name, factor] of Object.entries(qos.classes)) {
    const key = `adaptive.qos.classes.${name}`;
    const criticality = CRITICALITIES.find((one) => one === name.toUpperCase());
    if (criticality === undefined) {
      // The default class was mapped above, whatever its name.
      if (name !== qos.default) {
        legacy.push(
          `${key} (x${factor}) ignored: no criticality class has that name (${CRITICALITIES.join(', ')}); it never applied, no API passed a QoS class`,
        );
      }
    } else if (criticality !== DEFAULT_CRITICALITY) {
      map(key, factor, criticality);
    } else if (name !== qos.default) {
      legacy.push(
        `${key} (x${factor}) ignored: CRITICAL takes adaptive.qos.default's multiplier, the one that applied to every budget`,
      );
    }
  }
  return { multipliers: Object.freeze(multipliers), legacy };
}

/**
 * The one warning a configuration with `adaptive.qos` gets: every key, where it went, and what to
 * write instead. `undefined` when there is nothing to say.
 */
export function legacyQosWarning({ legacy }: ClassMultipliers): string | undefined {
  if (legacy.length === 0) return undefined;
  return `headroom: adaptive.qos is deprecated (QoS classes are now the criticality classes' budget multipliers): ${legacy.join('; ')}. Write criticality.classes.<CLASS>.budgetMultiplier instead and remove adaptive.qos (README, "Migrating from adaptive.qos").`;
}
