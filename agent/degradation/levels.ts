/** The degradation levels, in order of severity, and how to compare them. */
import { didYouMean } from '../../config/index.ts';

/** Every level from healthy to the most degraded; a level switches off what the ones before it do, and more. */
export const DEGRADATION_LEVELS = Object.freeze([
  'NONE',
  'MINIMAL',
  'MODERATE',
  'SEVERE',
  'CRITICAL',
] as const);

/** One of {@link DEGRADATION_LEVELS}. */
export type DegradationLevel = (typeof DEGRADATION_LEVELS)[number];

const INDEX: ReadonlyMap<string, number> = new Map(DEGRADATION_LEVELS.map((level, i) => [level, i]));

/** Position of `level` in {@link DEGRADATION_LEVELS}: NONE is 0, CRITICAL is 4. */
export function levelIndex(level: DegradationLevel): number {
  return INDEX.get(level) as number;
}

/** Whether `value` names a level (for input from outside TypeScript, e.g. an HTTP override). */
export function isDegradationLevel(value: unknown): value is DegradationLevel {
  return typeof value === 'string' && INDEX.has(value);
}

/** The level at `index`, clamped to NONE..CRITICAL. */
export function levelAt(index: number): DegradationLevel {
  const clamped = Math.min(Math.max(Math.trunc(index), 0), DEGRADATION_LEVELS.length - 1);
  return DEGRADATION_LEVELS[clamped] as DegradationLevel;
}

/**
 * Why `value` is not a level, with the closest level when it looks like a typo.
 * @example unknownLevelMessage('CRITCAL') // 'unknown level "CRITCAL" (did you mean "CRITICAL"?); levels: NONE, MINIMAL, MODERATE, SEVERE, CRITICAL'
 */
export function unknownLevelMessage(value: unknown): string {
  const hint = typeof value === 'string' ? didYouMean(value, DEGRADATION_LEVELS) : undefined;
  const mean = hint === undefined ? '' : ` (did you mean "${hint}"?)`;
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return `unknown level ${shown}${mean}; levels: ${DEGRADATION_LEVELS.join(', ')}`;
}
