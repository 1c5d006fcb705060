/**
 * The law of admission control, as pure functions of the config and the degradation level: one
 * scalar shed pressure fills the classes' rejection probabilities from the least important up
 * (Google SRE "Handling Overload": the lowest criticality is rejected first), each class capped,
 * then raised to its level floor; CRITICAL_PLUS is never rejected. The pressure rises with the
 * protected classes' overshoot, bounded per tick (Envoy's admission control grows its rejection
 * probability with the failure ratio, capped).
 */
import type { DeepReadonly, HeadroomConfig } from '../../config/index.ts';
import { DEGRADATION_LEVEL_KEYS } from '../../config/index.ts';
import { type DegradationLevel, levelIndex } from '../degradation/levels.ts';
import type { Criticality } from './criticality.ts';

/** The parsed `admission` config section, possibly deep-frozen. */
export type AdmissionConfig = DeepReadonly<HeadroomConfig['admission']>;

/** The classes admission may reject, in the order the pressure fills them (least important first). */
export const FILL_ORDER = Object.freeze(['SHEDDABLE', 'SHEDDABLE_PLUS', 'CRITICAL'] as const);

/** One of {@link FILL_ORDER}. */
export type SheddableCriticality = (typeof FILL_ORDER)[number];

/** A probability per class, 0..1; CRITICAL_PLUS is always 0. */
export type Probabilities = Readonly<Record<Criticality, number>>;

/** Caps and floors in force at one level. */
export interface LevelBounds {
  /** `admission.maxRejection`, overridden by `levels.<l>.maxRejection` at l and above. */
  readonly caps: Readonly<Record<SheddableCriticality, number>>;
  /** `levels.<l>.minRejection` at l and above; 0 where none is set. */
  readonly floors: Readonly<Record<SheddableCriticality, number>>;
}

/** Probabilities are kept to 6 decimals, so 0.1 + 0.2 reads 0.3 in decisions and logs. */
export function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** Caps and floors at `level`: what a level sets holds at that level and every level above it. */
export function boundsAt(config: AdmissionConfig, level: DegradationLevel): LevelBounds {
  const caps = { ...config.maxRejection };
  const floors = { SHEDDABLE: 0, SHEDDABLE_PLUS: 0, CRITICAL: 0 };
  DEGRADATION_LEVEL_KEYS.forEach((key, i) => {
    if (levelIndex(level) < i + 1) return;
    const own = config.levels[key];
    for (const criticality of FILL_ORDER) {
      caps[criticality] = own.maxRejection[criticality] ?? caps[criticality];
      floors[criticality] = own.minRejection[criticality] ?? floors[criticality];
    }
  });
  return { caps, floors };
}

/** Highest pressure: every class at its cap. */
export function maxPressure(bounds: LevelBounds): number {
  return round6(FILL_ORDER.reduce((sum, criticality) => sum + bounds.caps[criticality], 0));
}

/** The controller's own probabilities: `pressure` poured into the classes from SHEDDABLE up, each to its cap. */
export function controllerShares(pressure: number, bounds: LevelBounds): Probabilities {
  let left = pressure;
  const shares = { CRITICAL_PLUS: 0, CRITICAL: 0, SHEDDABLE_PLUS: 0, SHEDDABLE: 0 };
  for (const criticality of FILL_ORDER) {
    const share = Math.min(Math.max(left, 0), bounds.caps[criticality]);
    shares[criticality] = round6(share);
    left -= share;
  }
  return shares;
}

/** The probabilities in force: each controller share raised to its level floor. */
export function inForce(shares: Probabilities, bounds: LevelBounds): Probabilities {
  const probabilities = { ...shares };
  for (const criticality of FILL_ORDER)
    probabilities[criticality] = Math.max(shares[criticality], bounds.floors[criticality]);
  return probabilities;
}

/**
 * The pressure the floors already shed: the classes from SHEDDABLE up whose floor reaches their
 * cap, plus the floor of the first one that does not. An increase starts from here, so every
 * overload step shows in some class's probability instead of vanishing under a floor.
 */
export function floorPressure(bounds: LevelBounds): number {
  let pressure = 0;
  for (const criticality of FILL_ORDER) {
    const { [criticality]: cap } = bounds.caps;
    const floor = Math.min(bounds.floors[criticality], cap);
    pressure += floor;
    if (floor < cap) break;
  }
  return round6(pressure);
}

/**
 * The pressure once the level moves from `before`'s bounds to `after`'s: `pressure` within the new
 * caps, and, when the level `dropped`, at least the pressure the old floors held (review15g H2):
 * their share was in force, never eased by the law, so it is handed to the pressure for recovery to
 * ease one watched `maxStep` at a time instead of going in one step into a load that may remain.
 */
export function pressureAtLevel(
  pressure: number,
  bounds: { readonly before: LevelBounds; readonly after: LevelBounds },
  dropped: boolean,
): number {
  const handed = dropped ? floorPressure(bounds.before) : 0;
  return Math.min(Math.max(pressure, handed), maxPressure(bounds.after));
}

/** Smallest overload step, 1 percentage point (or `maxStep` when smaller): no creeping by crumbs. */
const MIN_STEP = 0.01;

/**
 * How much one overloaded tick adds to the pressure: `maxStep x min(1, overshoot / (0.5 x
 * targetRatio))` with overshoot = `signal - targetRatio`, so a ratio 1.5x the target (or worse)
 * takes the whole step and a small overshoot a small one, but at least 1 percentage point (a
 * proportional step alone would approach the target in ever smaller decisions), rounded to 0.1 %.
 */
export function overloadStep(signal: number, config: AdmissionConfig): number {
  const overshoot = (signal - config.targetRatio) / (0.5 * config.targetRatio);
  const { maxStep } = config;
  const step = Math.max(Math.min(MIN_STEP, maxStep), maxStep * Math.min(1, overshoot));
  return Math.round(step * 1000) / 1000;
}

/** The ratio protected classes must stay under for `recovery.sustain` before shedding eases. */
export function exitRatio(config: AdmissionConfig): number {
  return round6(config.targetRatio * (1 - config.recovery.improvement));
}
