/** The degradation section of the config resolved per level: thresholds and cumulative feature lists. */
import type { DeepReadonly, HeadroomConfig } from '../../config/index.ts';
import { DEGRADATION_LEVEL_KEYS } from '../../config/index.ts';
import { DEGRADATION_LEVELS, type DegradationLevel, levelIndex } from './levels.ts';
import type { DecisionActions } from './types.ts';

/** The parsed `degradation` config section, possibly deep-frozen. */
export type DegradationConfig = DeepReadonly<HeadroomConfig['degradation']>;

/** What one level means once the config is resolved. */
export interface LevelRow {
  readonly level: DegradationLevel;
  /** Worst observed/budget ratio at or above which this level is the target; 0 for NONE. */
  readonly enterRatio: number;
  /** `enterRatio x (1 - recovery.improvement)`: the ratio must stay at or below this to leave the level. */
  readonly exitRatio: number;
  /** Features off at this level: its own `disable` list plus those of every level below, deduplicated. */
  readonly disabledFeatures: readonly string[];
}

/** Per-level thresholds and feature lists, computed once from the config. */
export class LevelTable {
  readonly #rows: readonly LevelRow[];

  constructor(config: DegradationConfig) {
    const rows: LevelRow[] = [
      Object.freeze({ level: 'NONE', enterRatio: 0, exitRatio: 0, disabledFeatures: [] }),
    ];
    const disabled = new Set<string>();
    DEGRADATION_LEVEL_KEYS.forEach((key, i) => {
      const { enterRatio, disable } = config.levels[key];
      for (const feature of disable) disabled.add(feature);
      rows.push(
        Object.freeze({
          level: DEGRADATION_LEVELS[i + 1] as DegradationLevel,
          enterRatio,
          exitRatio: enterRatio * (1 - config.recovery.improvement),
          disabledFeatures: Object.freeze([...disabled]),
        }),
      );
    });
    this.#rows = Object.freeze(rows);
  }

  /** The resolved row of `level`. */
  row(level: DegradationLevel): LevelRow {
    return this.#rows[levelIndex(level)] as LevelRow;
  }

  /** The highest level whose `enterRatio` is at or below `ratio`; NONE below MINIMAL's (and for NaN). */
  targetFor(ratio: number): DegradationLevel {
    for (let i = this.#rows.length - 1; i > 0; i--) {
      const row = this.#rows[i] as LevelRow;
      if (row.enterRatio <= ratio) return row.level;
    }
    return 'NONE';
  }
}

/** The features a move from `before` to `after` switches off and back on, each in its list's order. */
export function featureChanges(before: readonly string[], after: readonly string[]): DecisionActions {
  const was = new Set(before);
  const is = new Set(after);
  return Object.freeze({
    disabled: Object.freeze(after.filter((name) => !was.has(name))),
    enabled: Object.freeze(before.filter((name) => !is.has(name))),
  });
}
