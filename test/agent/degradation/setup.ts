/** Shared set-up of the degradation tests: a real parsed config, a manual clock, one-second ticks. */
import { ManualClock } from '../../../agent/clock.ts';
import { type DegradationDecision, DegradationManager } from '../../../agent/degradation/index.ts';
import { configSchema, deepFreeze, type HeadroomConfigInput } from '../../../config/index.ts';
import { verdictOf } from '../../helpers/verdicts.ts';

/** The evaluation interval of the default config, ms. */
export const TICK_MS = 1000;

/** The feature lists of examples/headroom.yaml. */
const FEATURE_LEVELS = {
  minimal: { disable: ['recommendations'] },
  moderate: { disable: ['personalization', 'search_suggestions'] },
  severe: { disable: ['analytics_events'] },
  critical: { disable: ['non_essential_writes'] },
} as const;

type DegradationInput = NonNullable<HeadroomConfigInput['degradation']>;

/** Parses `degradation` through the real schema (so defaults apply) and deep-freezes it like the loader. */
export function degradationConfig(degradation: DegradationInput = {}) {
  const levels = { ...structuredClone(FEATURE_LEVELS), ...degradation.levels };
  return deepFreeze(configSchema.parse({ degradation: { ...degradation, levels } }).degradation);
}

/** A manager for service `checkout` on a fresh manual clock. */
export function setup(degradation: DegradationInput = {}, auditLogSize?: number) {
  const clock = new ManualClock();
  const config = degradationConfig(degradation);
  const manager = new DegradationManager({ config, clock, service: 'checkout', auditLogSize });
  const startMs = clock.now();
  /** Advances one tick and observes `observedMs` (ms, against 50 ms), or no data when undefined. */
  const tick = (observedMs?: number): DegradationDecision | undefined => {
    clock.advance(TICK_MS);
    return manager.observe(observedMs === undefined ? [] : [verdictOf(observedMs)]);
  };
  /** Ticks `count` times with the same input; returns the decisions taken. */
  const ticks = (count: number, observedMs?: number): DegradationDecision[] => {
    const decisions: DegradationDecision[] = [];
    for (let i = 0; i < count; i++) {
      const decision = tick(observedMs);
      if (decision !== undefined) decisions.push(decision);
    }
    return decisions;
  };
  return { clock, config, manager, startMs, tick, ticks };
}
