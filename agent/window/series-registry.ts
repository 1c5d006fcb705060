import { SeriesOptionsError } from '../../errors.ts';
import { CardinalityLimits, OVERFLOW } from '../limits/cardinality-limits.ts';
import { serviceKey } from '../service-id.ts';
import { RegisteredSeries, type Series } from './series.ts';
import { SeriesTotals } from './series-totals.ts';
import { SlidingWindow } from './sliding-window.ts';
import {
  type ResolvedSlidingWindowOptions,
  resolveSlidingWindowOptions,
  type SlidingWindowOptions,
} from './window-options.ts';

/**
 * Operation name of an overflow series: a combination refused by a cap (operations of a service,
 * or the total `maxSeries`) shares one series per (service, context) under this name. Reserved:
 * resolving it directly returns that overflow series.
 */
export const OVERFLOW_OPERATION = OVERFLOW;

/** Options of a {@link SeriesRegistry}. */
export interface SeriesRegistryOptions {
  /** Most regular series before new combinations go to overflow series. @default 2000 */
  maxSeries?: number;
  /** Options of every series' window; validated once, by the registry's constructor. */
  window?: SlidingWindowOptions;
  /** Bucket bounds (ms) of every series' cumulative histogram. @default [] (one +Inf bucket) */
  totalsBoundsMs?: readonly number[];
  /** Caps of the service, operation, context and phase dimensions and name lengths. @default none but 256-character names */
  limits?: CardinalityLimits;
}

// namespace -> service -> context -> operation -> phase: lookups never build a combined string key.
// Each level is one capped dimension (see CardinalityLimits); services are capped over all namespaces.
type ByPhase = Map<string, RegisteredSeries>;
type ByOperation = Map<string, ByPhase>;
type ByContext = Map<string, ByOperation>;
type ByService = Map<string, ByContext>;
type Key = [namespace: string, service: string, operation: string, context: string, phase: string];

const EMPTY: ReadonlyMap<string, never> = new Map<string, never>();

/**
 * The series the agent knows, keyed by (namespace, service, context, operation, phase) through
 * nested maps. Every level is capped through {@link CardinalityLimits} (namespaces; services over
 * all namespaces; operations per service and
 * context; phases per operation; only the allowed contexts), names are truncated, and the regular
 * series are at most `maxSeries`, so an unbounded label cannot exhaust memory: refused
 * combinations fold into overflow series, themselves at most `maxSeries` plus two per context.
 * @example
 * const registry = new SeriesRegistry({ maxSeries: 2000 });
 * registry.resolve('checkout', 'charge-card', 'routine').window.record(durationMs, false, endMs);
 */
export class SeriesRegistry {
  /** Most regular series this registry creates. */
  readonly maxSeries: number;
  readonly limits: CardinalityLimits;
  readonly #windowOptions: ResolvedSlidingWindowOptions;
  readonly #totalsBoundsMs: readonly number[];
  readonly #byNamespace = new Map<string, ByService>();
  /** The services held, by `serviceKey`: the level the service cap counts (creation path only). */
  readonly #services = new Map<string, true>();
  #regularCount = 0;
  #overflowCount = 0;
  #retiredInvalid = 0;
  #retiredLate = 0;

  /**
   * @throws SeriesOptionsError (`HEADROOM_ERR_SERIES_OPTIONS_INVALID`) when `maxSeries` is not a
   * positive integer; WindowOptionsError (`HEADROOM_ERR_WINDOW_OPTIONS_INVALID`) for a window option.
   */
  constructor(options: SeriesRegistryOptions = {}) {
    const { maxSeries = 2000 } = options;
    if (!(Number.isSafeInteger(maxSeries) && maxSeries > 0)) {
      throw new SeriesOptionsError(
        'maxSeries',
        `SeriesRegistry: maxSeries must be a positive integer, got ${maxSeries}`,
      );
    }
    this.maxSeries = maxSeries;
    this.limits = options.limits ?? new CardinalityLimits();
    this.#windowOptions = resolveSlidingWindowOptions(options.window);
    this.#totalsBoundsMs = Object.freeze([...(options.totalsBoundsMs ?? [])]);
  }

  /** Series held, overflow series included. */
  get size(): number {
    return this.#regularCount + this.#overflowCount;
  }

  /** Regular series held (overflow series left out): at most `maxSeries`. */
  get regularSize(): number {
    return this.#regularCount;
  }

  /** Lookups sent to an overflow series because the regular series numbered `maxSeries`. */
  get overflowed(): number {
    return this.limits.overflowed().series;
  }

  /** Samples dropped (invalid, late) by the windows of series removed since: counters stay monotonic. */
  get retiredDrops(): { readonly invalid: number; readonly late: number } {
    return { invalid: this.#retiredInvalid, late: this.#retiredLate };
  }

  /**
   * The series of a combination, created on first use. Long names are truncated first; a value a
   * cap refuses is replaced by {@link OVERFLOW_OPERATION} (counted by dimension).
   * @param namespace `service.namespace` of the service; '' when none
   */
  resolve(service: string, operation: string, context: string, phase = '', namespace = ''): Series {
    const n = this.limits.nameLength;
    if (
      service.length > n ||
      operation.length > n ||
      context.length > n ||
      phase.length > n ||
      namespace.length > n
    ) {
      namespace = this.limits.name('namespace', namespace);
      service = this.limits.name('service', service);
      operation = this.limits.name('operation', operation);
      context = this.limits.name('context', context);
      phase = this.limits.name('phase', phase);
    }
    const found = this.#find([namespace, service, operation, context, phase]);
    return found ?? this.#create([namespace, service, operation, context, phase]);
  }

  /** Every series, overflow series included, in creation order per (service, context). */
  list(): Series[] {
    return this.#all();
  }

  #all(): RegisteredSeries[] {
    const all: RegisteredSeries[] = [];
    for (const byService of this.#byNamespace.values()) {
      for (const byContext of byService.values()) {
        for (const byOperation of byContext.values()) {
          for (const byPhase of byOperation.values()) for (const series of byPhase.values()) all.push(series);
        }
      }
    }
    return all;
  }

  /** Whether `service` (in `namespace`) holds at least one series. */
  hasService(service: string, namespace = ''): boolean {
    return this.#byNamespace.get(namespace)?.has(service) ?? false;
  }

  /** End time of the newest sample of any series of `service` (in `namespace`), ms; `-Infinity` when none. */
  newestRecordMs(service: string, namespace = ''): number {
    let newest = Number.NEGATIVE_INFINITY;
    for (const byOperation of this.#byNamespace.get(namespace)?.get(service)?.values() ?? []) {
      for (const byPhase of byOperation.values())
        for (const series of byPhase.values()) newest = Math.max(newest, series.window.lastRecordMs);
    }
    return newest;
  }

  /**
   * Forgets one series; returns whether it existed. The removed `Series` turns `retired`: its
   * window no longer shows in {@link list}, so a holder resolves again before writing to it.
   */
  delete(service: string, operation: string, context: string, phase = '', namespace = ''): boolean {
    const series = this.#find([namespace, service, operation, context, phase]);
    if (series === undefined) return false;
    this.#forget(series);
    return true;
  }

  /**
   * Forgets every series whose newest sample ended at or before `nowMs - idleMs` (or that never
   * accepted one), freeing its window and its room under the caps; returns how many were removed.
   * Removed series turn `retired`, as with {@link delete}.
   */
  prune(idleMs: number, nowMs: number): number {
    const cutoffMs = nowMs - idleMs;
    // A NaN cutoff would compare false everywhere and remove everything.
    if (Number.isNaN(cutoffMs)) return 0;
    let removed = 0;
    for (const series of this.#all()) {
      if (series.window.lastRecordMs > cutoffMs) continue;
      this.#forget(series);
      removed++;
    }
    return removed;
  }

  #create(wanted: Key): Series {
    let key = this.#admit(wanted);
    if (this.#find(key) === undefined) {
      const [namespace, service, , context, phase] = key;
      const overflow = service === OVERFLOW || key[2] === OVERFLOW || phase === OVERFLOW;
      if (!overflow && this.#regularCount >= this.maxSeries) {
        this.limits.countOverflow('series');
        key = [namespace, service, OVERFLOW, context, phase === '' ? '' : OVERFLOW];
      }
      // Overflow series are bounded too: past maxSeries of them, one shared service takes the rest.
      if (this.#find(key) === undefined && this.#overflowCount >= this.maxSeries) {
        key = [OVERFLOW, OVERFLOW, OVERFLOW, context, phase === '' ? '' : OVERFLOW];
      }
    }
    return this.#find(key) ?? this.#add(key);
  }

  /** The key a combination is kept under, each level admitted by its dimension's cap. */
  #admit([namespace, service, operation, context, phase]: Key): Key {
    const limits = this.limits;
    const ns = limits.admit('namespace', this.#byNamespace, namespace);
    const byService = this.#byNamespace.get(ns) ?? EMPTY;
    const s = this.#admitService(ns, byService, service);
    const byContext = byService.get(s) ?? EMPTY;
    const c = limits.admit('context', byContext, context);
    const byOperation = byContext.get(c) ?? EMPTY;
    const o = limits.admit('operation', byOperation, operation);
    if (phase === '') return [ns, s, o, c, ''];
    return [ns, s, o, c, limits.admit('phase', byOperation.get(o) ?? EMPTY, phase)];
  }

  /**
   * The service cap counts services over every namespace, so a tenant cannot multiply it; a
   * service of a refused namespace is folded too.
   */
  #admitService(namespace: string, byService: ReadonlyMap<string, unknown>, service: string): string {
    if (namespace === OVERFLOW) return OVERFLOW;
    if (service === OVERFLOW || byService.has(service)) return service;
    const admitted = this.limits.admit('service', this.#services, serviceKey({ namespace, service }));
    return admitted === OVERFLOW ? OVERFLOW : service;
  }

  #find([namespace, service, operation, context, phase]: Key): RegisteredSeries | undefined {
    return this.#byNamespace.get(namespace)?.get(service)?.get(context)?.get(operation)?.get(phase);
  }

  #add(key: Key): Series {
    const [namespace, service, operation, context, phase] = key;
    const series = new RegisteredSeries(
      key,
      new SlidingWindow(this.#windowOptions),
      new SeriesTotals(this.#totalsBoundsMs),
    );
    const byService = getOrAdd(this.#byNamespace, namespace);
    if (service !== OVERFLOW) this.#services.set(serviceKey({ namespace, service }), true);
    const byContext = getOrAdd(byService, service);
    const byOperation = getOrAdd(byContext, context);
    getOrAdd(byOperation, operation).set(phase, series);
    if (isOverflow(series)) this.#overflowCount++;
    else this.#regularCount++;
    return series;
  }

  #forget(series: RegisteredSeries): void {
    const { namespace, service, operation, context, phase } = series;
    const byService = this.#byNamespace.get(namespace) as ByService;
    const byContext = byService.get(service) as ByContext;
    const byOperation = byContext.get(context) as ByOperation;
    const byPhase = byOperation.get(operation) as ByPhase;
    byPhase.delete(phase);
    if (byPhase.size === 0) byOperation.delete(operation);
    if (byOperation.size === 0) byContext.delete(context);
    if (byContext.size === 0) {
      byService.delete(service);
      this.#services.delete(serviceKey({ namespace, service }));
    }
    if (byService.size === 0) this.#byNamespace.delete(namespace);
    if (isOverflow(series)) this.#overflowCount--;
    else this.#regularCount--;
    this.#retiredInvalid += series.window.droppedInvalid;
    this.#retiredLate += series.window.droppedLate;
    series.retire();
    // Handles cached by span names may hold the series long after: free its samples now.
    series.window.release();
  }
}

function isOverflow(series: Series): boolean {
  return series.service === OVERFLOW || series.operation === OVERFLOW || series.phase === OVERFLOW;
}

function getOrAdd<V extends Map<string, unknown>>(map: Map<string, V>, key: string): V {
  let value = map.get(key);
  if (value === undefined) {
    value = new Map() as V;
    map.set(key, value);
  }
  return value;
}
