// Public face of agent/limits: the one cardinality and name-length mechanism.
export {
  CardinalityLimits,
  type CardinalityLimitsOptions,
  DIMENSIONS,
  type Dimension,
  type DimensionCounts,
  heldIn,
  OVERFLOW,
  truncate,
} from './cardinality-limits.ts';
export { limitsOf } from './limits-of.ts';
