/**
 * `degradation` rules: per service, a `warning` while its degradation level is at or above the
 * rule's (escalate it with `escalateAfter`). The value is the level's index (NONE 0 .. CRITICAL 4).
 */
import { levelIndex } from '../degradation/levels.ts';
import { formatService, serviceLabels } from '../service-id.ts';
import type { Observation, RuleOf } from './observation.ts';
import type { AlertTick } from './types.ts';

/** Observations of a `degradation` rule, one per service with a level. */
export function observeDegradation(rule: RuleOf<'degradation'>, tick: AlertTick): Observation[] {
  const threshold = levelIndex(rule.level);
  const observations: Observation[] = [];
  for (const one of tick.levels) {
    const { level } = one;
    const index = levelIndex(level);
    const service = formatService(one);
    observations.push({
      labels: serviceLabels(one),
      severity: index >= threshold ? 'warning' : undefined,
      value: index,
      summary: `${service} is at degradation level ${level}`,
      description: `${service} runs at degradation level ${level} (${index} of 4); the rule fires at ${rule.level} or above.`,
    });
  }
  return observations;
}
