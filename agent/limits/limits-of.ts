/** The caps of a configuration, as {@link CardinalityLimits} take them. */
import type { ResolvedConfig } from '../../config/index.ts';
import type { CardinalityLimitsOptions } from './cardinality-limits.ts';

/**
 * `limits.*` and `window.maxSeries` as limits options; contexts admit only the configured ones.
 * @example new CardinalityLimits(limitsOf(config))
 */
export function limitsOf(config: ResolvedConfig): CardinalityLimitsOptions {
  const { limits } = config;
  return {
    nameLength: limits.nameLength,
    max: {
      namespace: limits.namespaces,
      service: limits.services,
      operation: limits.operations,
      phase: limits.phases,
      series: config.window.maxSeries,
    },
    allowed: { context: new Set(Object.keys(config.contexts)) },
  };
}
