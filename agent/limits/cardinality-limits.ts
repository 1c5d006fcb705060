/**
 * The one cardinality mechanism of the agent. Every dimension of what it keeps (namespace, service,
 * operation, context, phase, series) is a level of a map keyed by that dimension's values; a new
 * value is admitted while its level holds fewer than the dimension's maximum (and, for contexts,
 * only when configured), else it is folded into {@link OVERFLOW} and counted. Names longer than
 * `nameLength` are truncated and counted, as OpenTelemetry's SpanLimits truncate attribute values.
 */

import { LimitsOptionsError } from '../../errors.ts';

/** The value a dimension's refused values are folded into (series) or reported as (refusals). */
export const OVERFLOW = '__overflow__';

/** Every capped dimension, in the order metrics list them. */
export const DIMENSIONS = Object.freeze([
  'namespace',
  'service',
  'operation',
  'context',
  'phase',
  'series',
] as const);

/** One capped dimension. `series` is the total of (service, operation, context, phase) series. */
export type Dimension = (typeof DIMENSIONS)[number];

/** The `limits` config section, as the agent reads it, plus the two caps defined elsewhere. */
export interface CardinalityLimitsOptions {
  /** Longest name kept, characters (UTF-16 code units). @default 256 */
  readonly nameLength?: number;
  /** Most distinct values per level of each dimension; a dimension left out is not capped. */
  readonly max?: Partial<Record<Dimension, number>>;
  /** The only values a dimension admits (contexts: the configured ones); others fold. */
  readonly allowed?: Partial<Record<Dimension, ReadonlySet<string>>>;
}

/** Counts per dimension, since the limits were created. */
export type DimensionCounts = Readonly<Record<Dimension, number>>;

/**
 * Caps and name lengths, with their counters. Shared by the series registry and the collector's
 * service directory so that every dimension is capped, counted and reported the same way.
 * @example
 * const limits = new CardinalityLimits({ max: { operation: 200 } });
 * const key = limits.admit('operation', byOperation, name); // name, or OVERFLOW once 200 are held
 */
export class CardinalityLimits {
  #nameLength = 256;
  #max: Partial<Record<Dimension, number>> = {};
  #allowed: Partial<Record<Dimension, ReadonlySet<string>>> = {};
  readonly #overflowed = zeroCounts();
  readonly #truncated = zeroCounts();

  /** @throws LimitsOptionsError (`HEADROOM_ERR_LIMITS_OPTIONS_INVALID`) when `nameLength` or a maximum is not a positive integer. */
  constructor(options: CardinalityLimitsOptions = {}) {
    this.reconfigure(options);
  }

  /** Longest name kept, characters. */
  get nameLength(): number {
    return this.#nameLength;
  }

  /** Applies new caps (a reload); values already held stay, counters continue. */
  reconfigure(options: CardinalityLimitsOptions): void {
    const nameLength = options.nameLength ?? 256;
    requirePositive('nameLength', nameLength);
    for (const [dimension, max] of Object.entries(options.max ?? {})) requirePositive(dimension, max);
    this.#nameLength = nameLength;
    this.#max = { ...options.max };
    this.#allowed = { ...options.allowed };
  }

  /** The maximum of a dimension; `Infinity` when it is not capped by a number. */
  max(dimension: Dimension): number {
    return this.#max[dimension] ?? Number.POSITIVE_INFINITY;
  }

  /** Values refused (folded or refused) per dimension, each refusal counted once. */
  overflowed(): DimensionCounts {
    return { ...this.#overflowed };
  }

  /** Names truncated per dimension (`series` stays 0). */
  truncated(): DimensionCounts {
    return { ...this.#truncated };
  }

  /** `value` cut to `nameLength` characters (never inside a surrogate pair), counted when cut. */
  name(dimension: Dimension, value: string): string {
    if (value.length <= this.#nameLength) return value;
    this.#truncated[dimension]++;
    return truncate(value, this.#nameLength);
  }

  /**
   * The key `value` is kept under in `level` (the map of one dimension under one parent): itself
   * when already there, or when allowed and the level has room; else {@link OVERFLOW}, counted.
   */
  admit(dimension: Dimension, level: ReadonlyMap<string, unknown>, value: string): string {
    if (value === OVERFLOW || level.has(value)) return value;
    const allowed = this.#allowed[dimension];
    if ((allowed === undefined || allowed.has(value)) && this.hasRoom(dimension, level)) return value;
    this.#overflowed[dimension]++;
    return OVERFLOW;
  }

  /** Whether `level` may take one more value of `dimension` (its overflow and '' entries not counted). */
  hasRoom(dimension: Dimension, level: ReadonlyMap<string, unknown>): boolean {
    return heldIn(level) < this.max(dimension);
  }

  /** Counts one refusal that did not go through {@link admit} (e.g. the series total). */
  countOverflow(dimension: Dimension): void {
    this.#overflowed[dimension]++;
  }
}

/**
 * Values in a level, its overflow entry and '' left out ('' is the whole operation among phases;
 * elsewhere one uncounted value is harmless).
 */
function heldIn(level: ReadonlyMap<string, unknown>): number {
  return level.size - (level.has(OVERFLOW) ? 1 : 0) - (level.has('') ? 1 : 0);
}

/** The first `length` characters of `value`, one fewer when that would split a surrogate pair. */
export function truncate(value: string, length: number): string {
  if (value.length <= length) return value;
  const last = value.charCodeAt(length - 1);
  return value.slice(0, last >= 0xd800 && last <= 0xdbff ? length - 1 : length);
}

function zeroCounts(): Record<Dimension, number> {
  return Object.fromEntries(DIMENSIONS.map((d) => [d, 0])) as Record<Dimension, number>;
}

function requirePositive(name: string, value: number): void {
  if (!(Number.isSafeInteger(value) && value > 0)) {
    throw new LimitsOptionsError(name, `CardinalityLimits: ${name} must be a positive integer, got ${value}`);
  }
}
