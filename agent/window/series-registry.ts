import { SeriesTotals } from './series-totals.ts';
import {
  type ResolvedSlidingWindowOptions,
  resolveSlidingWindowOptions,
  SlidingWindow,
  type SlidingWindowOptions,
} from './sliding-window.ts';

/**
 * Operation name of the overflow series: once a registry holds `maxSeries` series, new
 * (service, operation, context) combinations share one series per (service, context) under this
 * name. Reserved: resolving it directly returns that overflow series.
 */
export const OVERFLOW_OPERATION = '__overflow__';

/** Options of a {@link SeriesRegistry}. */
export interface SeriesRegistryOptions {
  /** Most series before new combinations go to the overflow series (overflow ones not counted). @default 2000 */
  maxSeries?: number;
  /** Options of every series' window; validated once, by the registry's constructor. */
  window?: SlidingWindowOptions;
  /** Bucket bounds (ms) of every series' cumulative histogram. @default [] (one +Inf bucket) */
  totalsBoundsMs?: readonly number[];
}

/** One series: the samples of one operation (or one phase of it) of one service in one budget context. */
export interface Series {
  readonly service: string;
  /** The operation name, or {@link OVERFLOW_OPERATION}. */
  readonly operation: string;
  /** The budget context (`emergency`, `routine`, ... or a configured one). */
  readonly context: string;
  /** The phase of the operation (`routing`, `execution`, ...); '' for the whole operation. */
  readonly phase: string;
  readonly window: SlidingWindow;
  /** Cumulative counts since the series was created, for exporters. */
  readonly totals: SeriesTotals;
}

// service -> context -> operation -> phase: lookups never build a combined string key.
type ByPhase = Map<string, Series>;
type ByOperation = Map<string, ByPhase>;
type ByContext = Map<string, ByOperation>;

/**
 * The series the agent knows, keyed by (service, operation, context) through nested maps, with a
 * cap on their number so an unbounded label (an id in an operation name) cannot exhaust memory.
 * Memory stays bounded by `maxSeries` plus one overflow series per (service, context).
 * @example
 * const registry = new SeriesRegistry({ maxSeries: 2000 });
 * registry.resolve('checkout', 'charge-card', 'routine').window.record(durationMs, false, endMs);
 */
export class SeriesRegistry {
  /** Most regular series this registry creates. */
  readonly maxSeries: number;
  readonly #windowOptions: ResolvedSlidingWindowOptions;
  readonly #totalsBoundsMs: readonly number[];
  readonly #byService = new Map<string, ByContext>();
  #regularCount = 0;
  #overflowCount = 0;
  #overflowed = 0;

  /** @throws RangeError when `maxSeries` is not a positive integer or a window option is invalid. */
  constructor(options: SeriesRegistryOptions = {}) {
    const { maxSeries = 2000 } = options;
    if (!(Number.isSafeInteger(maxSeries) && maxSeries > 0)) {
      throw new RangeError(`SeriesRegistry: maxSeries must be a positive integer, got ${maxSeries}`);
    }
    this.maxSeries = maxSeries;
    this.#windowOptions = resolveSlidingWindowOptions(options.window);
    this.#totalsBoundsMs = Object.freeze([...(options.totalsBoundsMs ?? [])]);
  }

  /** Series held, overflow series included. */
  get size(): number {
    return this.#regularCount + this.#overflowCount;
  }

  /**
   * Calls to {@link resolve} sent to an overflow series because the cap was reached. Each call
   * counts, so a refused combination resolved 3 times counts 3 (refused combinations are not
   * remembered: that would grow without bound).
   */
  get overflowed(): number {
    return this.#overflowed;
  }

  /**
   * The series of a combination, created on first use. At the cap, a new combination gets the
   * shared overflow series of its (service, context) and {@link overflowed} is incremented.
   */
  resolve(service: string, operation: string, context: string, phase = ''): Series {
    let byContext = this.#byService.get(service);
    let byOperation = byContext?.get(context);
    const found = byOperation?.get(operation)?.get(phase);
    if (found !== undefined) return found;
    if (byContext === undefined) {
      byContext = new Map();
      this.#byService.set(service, byContext);
    }
    if (byOperation === undefined) {
      byOperation = new Map();
      byContext.set(context, byOperation);
    }
    if (operation === OVERFLOW_OPERATION)
      return this.#add(byOperation, service, OVERFLOW_OPERATION, context, '');
    if (this.#regularCount < this.maxSeries)
      return this.#add(byOperation, service, operation, context, phase);
    this.#overflowed++;
    return (
      byOperation.get(OVERFLOW_OPERATION)?.get('') ??
      this.#add(byOperation, service, OVERFLOW_OPERATION, context, '')
    );
  }

  /** Every series, overflow series included, in creation order per (service, context). */
  list(): Series[] {
    const all: Series[] = [];
    for (const byContext of this.#byService.values()) {
      for (const byOperation of byContext.values()) {
        for (const byPhase of byOperation.values()) for (const series of byPhase.values()) all.push(series);
      }
    }
    return all;
  }

  /**
   * Forgets one series; returns whether it existed. A holder of the removed `Series` still writes
   * to its window, which no longer shows in {@link list}: resolve again after a delete or prune.
   */
  delete(service: string, operation: string, context: string, phase = ''): boolean {
    const byContext = this.#byService.get(service);
    const byOperation = byContext?.get(context);
    const byPhase = byOperation?.get(operation);
    if (
      byContext === undefined ||
      byOperation === undefined ||
      byPhase === undefined ||
      !byPhase.has(phase)
    ) {
      return false;
    }
    this.#forget(byOperation, byPhase, operation, phase);
    if (byOperation.size === 0) byContext.delete(context);
    if (byContext.size === 0) this.#byService.delete(service);
    return true;
  }

  /**
   * Forgets every series whose newest sample ended at or before `nowMs - idleMs` (or that never
   * accepted one); returns how many were removed. Same caveat for held `Series` as {@link delete}.
   */
  prune(idleMs: number, nowMs: number): number {
    const cutoffMs = nowMs - idleMs;
    // A NaN cutoff would compare false everywhere and remove everything.
    if (Number.isNaN(cutoffMs)) return 0;
    let removed = 0;
    for (const [service, byContext] of this.#byService) {
      for (const [context, byOperation] of byContext) {
        for (const [operation, byPhase] of byOperation) {
          for (const [phase, series] of byPhase) {
            if (series.window.lastRecordMs > cutoffMs) continue;
            this.#forget(byOperation, byPhase, operation, phase);
            removed++;
          }
        }
        if (byOperation.size === 0) byContext.delete(context);
      }
      if (byContext.size === 0) this.#byService.delete(service);
    }
    return removed;
  }

  #add(byOperation: ByOperation, service: string, operation: string, context: string, phase: string): Series {
    const series: Series = Object.freeze({
      service,
      operation,
      context,
      phase,
      window: new SlidingWindow(this.#windowOptions),
      totals: new SeriesTotals(this.#totalsBoundsMs),
    });
    let byPhase = byOperation.get(operation);
    if (byPhase === undefined) {
      byPhase = new Map();
      byOperation.set(operation, byPhase);
    }
    byPhase.set(phase, series);
    if (operation === OVERFLOW_OPERATION) this.#overflowCount++;
    else this.#regularCount++;
    return series;
  }

  #forget(byOperation: ByOperation, byPhase: ByPhase, operation: string, phase: string): void {
    byPhase.delete(phase);
    if (byPhase.size === 0) byOperation.delete(operation);
    if (operation === OVERFLOW_OPERATION) this.#overflowCount--;
    else this.#regularCount--;
  }
}
