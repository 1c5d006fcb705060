/** The options of a sliding window: its span, slot resolution, accuracy and bin limit, checked. */
import { WindowOptionsError } from '../../errors.ts';

/** Options of a {@link SlidingWindow}; every field is optional. */
export interface SlidingWindowOptions {
  /** Span the window covers, in ms; a whole multiple of `resolutionMs`. @default 60000 */
  windowMs?: number;
  /** Span of one slot (one sketch), in ms. @default 1000 */
  resolutionMs?: number;
  /** Relative accuracy of the percentiles, between 0 and 1 exclusive. @default 0.01 */
  relativeAccuracy?: number;
  /** Bins per sketch before the lowest ones are collapsed (bounds memory). @default 2048 */
  maxBins?: number;
}

/** {@link SlidingWindowOptions} with defaults applied and checked. */
export type ResolvedSlidingWindowOptions = Readonly<Required<SlidingWindowOptions>>;

/** Most slots one window may hold: each slot may hold a sketch of up to `maxBins` bins. */
const MAX_SLOTS = 3600;

/**
 * Applies defaults and validates.
 * @throws WindowOptionsError (`HEADROOM_ERR_WINDOW_OPTIONS_INVALID`) naming the offending option
 * @example resolveSlidingWindowOptions({ windowMs: 10_000 }).resolutionMs // 1000
 */
export function resolveSlidingWindowOptions(
  options: SlidingWindowOptions = {},
): ResolvedSlidingWindowOptions {
  const { windowMs = 60_000, resolutionMs = 1000, relativeAccuracy = 0.01, maxBins = 2048 } = options;
  requirePositiveInteger('windowMs', windowMs);
  requirePositiveInteger('resolutionMs', resolutionMs);
  if (windowMs % resolutionMs !== 0) {
    throw new WindowOptionsError(
      'windowMs',
      `SlidingWindow: windowMs (${windowMs}) must be a whole multiple of resolutionMs (${resolutionMs})`,
    );
  }
  if (windowMs / resolutionMs > MAX_SLOTS) {
    throw new WindowOptionsError(
      'windowMs',
      `SlidingWindow: windowMs / resolutionMs must be at most ${MAX_SLOTS} slots, got ${windowMs / resolutionMs}`,
    );
  }
  if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) {
    throw new WindowOptionsError(
      'relativeAccuracy',
      `SlidingWindow: relativeAccuracy must be between 0 and 1 exclusive, got ${relativeAccuracy}`,
    );
  }
  requirePositiveInteger('maxBins', maxBins);
  return Object.freeze({ windowMs, resolutionMs, relativeAccuracy, maxBins });
}

function requirePositiveInteger(name: string, value: number): void {
  if (!(Number.isSafeInteger(value) && value > 0)) {
    throw new WindowOptionsError(name, `SlidingWindow: ${name} must be a positive integer, got ${value}`);
  }
}
