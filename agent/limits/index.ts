// Public face of agent/limits: the one cardinality and name-length mechanism.
export {
  CardinalityLimits,
  DIMENSIONS,
  type DimensionCounts,
  OVERFLOW,
  truncate,
} from './cardinality-limits.ts';
export { limitsOf } from './limits-of.ts';
