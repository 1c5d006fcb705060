/**
 * How far each sender's clock is off the collector's, estimated from arrival time against span end
 * times. For one span, `arrival - end` is the sender's offset plus the time the span waited
 * (batching, export, network): never less than the offset. Honest senders batch for seconds
 * (BatchSpanProcessor: 5 s), so one span says little, but the smallest value over the freshest
 * spans of recent batches is close to the offset itself.
 */

/** Options of a {@link ClockSkewEstimator}. */
export interface ClockSkewEstimatorOptions {
  /** Recent batches per service the estimate is taken over. @default 8 */
  readonly batches?: number;
  /** Batches older than this no longer count, ms. @default 300000 (5 min) */
  readonly horizonMs?: number;
  /** Most services tracked; the one heard from least recently is forgotten first. @default 1000 */
  readonly maxServices?: number;
}

/** The estimate for one service. */
export interface ClockSkew {
  readonly service: string;
  /** `service.namespace`; '' when the service sends none. */
  readonly namespace: string;
  /** How far the sender's clock is behind the collector's, ms; negative when it is ahead. */
  readonly skewMs: number;
}

interface Entry {
  readonly service: string;
  readonly namespace: string;
  /** `arrival - newest end` of the latest batches, ms, in a ring; NaN where unused. */
  readonly delaysMs: Float64Array;
  /** `arrival - oldest end` of the same batches, ms. */
  readonly oldestDelaysMs: Float64Array;
  /** Arrival of each of those batches, ms since the epoch. */
  readonly arrivalsMs: Float64Array;
  next: number;
}

/**
 * Keeps, per service, the span delays (`arrival - end`) of its latest batches and derives one
 * estimate. When every recent span ended before it arrived, the sender lags: the estimate is the
 * smallest delay (that of the freshest span). When every recent span ended after it arrived, the
 * sender is ahead: the estimate is the delay closest to zero (that of the stalest span; it may
 * fall short of the true offset by the batching delay, never overshoot it). Otherwise 0: the clocks
 * agree within the batching delay. A stray timestamp thus moves the estimate toward zero, never
 * away from it.
 * @example
 * const skews = new ClockSkewEstimator();
 * skews.observe('checkout', 'shop', arrivalMs, newestEndMs, oldestEndMs); // 120_000: 2 min behind
 */
export class ClockSkewEstimator {
  readonly #batches: number;
  readonly #horizonMs: number;
  readonly #maxServices: number;
  // Insertion order is recency order: an observed entry is moved to the end.
  readonly #entries = new Map<string, Entry>();

  constructor(options: ClockSkewEstimatorOptions = {}) {
    this.#batches = options.batches ?? 8;
    this.#horizonMs = options.horizonMs ?? 300_000;
    this.#maxServices = options.maxServices ?? 1000;
  }

  /** Notes one batch of a service (its span end times' range) and returns the service's estimate after it, ms. */
  observe(
    service: string,
    namespace: string,
    arrivalMs: number,
    newestEndMs: number,
    oldestEndMs: number,
  ): number {
    const key = `${namespace}\u0000${service}`;
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = {
        service,
        namespace,
        delaysMs: new Float64Array(this.#batches).fill(Number.NaN),
        oldestDelaysMs: new Float64Array(this.#batches).fill(Number.NaN),
        arrivalsMs: new Float64Array(this.#batches),
        next: 0,
      };
      this.#forgetStale(arrivalMs);
      if (this.#entries.size >= this.#maxServices) this.#forgetOldest();
    } else this.#entries.delete(key);
    this.#entries.set(key, entry);
    entry.delaysMs[entry.next] = arrivalMs - newestEndMs;
    entry.oldestDelaysMs[entry.next] = arrivalMs - oldestEndMs;
    entry.arrivalsMs[entry.next] = arrivalMs;
    entry.next = (entry.next + 1) % this.#batches;
    return this.#estimate(entry, arrivalMs);
  }

  /** Forgets a service's estimate (the service was evicted); a later batch starts a new one. */
  forget(service: string, namespace: string): void {
    this.#entries.delete(`${namespace}\u0000${service}`);
  }

  /** Services with an estimate kept, heard from within the horizon or not. */
  get size(): number {
    return this.#entries.size;
  }

  /** The estimate of every service heard from within the horizon before `nowMs`. */
  list(nowMs: number): ClockSkew[] {
    const all: ClockSkew[] = [];
    for (const entry of this.#entries.values()) {
      if (!this.#hasRecent(entry, nowMs)) continue;
      all.push({ service: entry.service, namespace: entry.namespace, skewMs: this.#estimate(entry, nowMs) });
    }
    return all;
  }

  #estimate(entry: Entry, nowMs: number): number {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < this.#batches; i++) {
      // Unused slots (arrival 0) and batches past the horizon do not count.
      if (!(entry.arrivalsMs[i]! > nowMs - this.#horizonMs)) continue;
      min = Math.min(min, entry.delaysMs[i]!);
      max = Math.max(max, entry.oldestDelaysMs[i]!);
    }
    if (min > 0 && min < Number.POSITIVE_INFINITY) return min;
    return max < 0 && max > Number.NEGATIVE_INFINITY ? max : 0;
  }

  #hasRecent(entry: Entry, nowMs: number): boolean {
    for (let i = 0; i < this.#batches; i++) {
      if (!Number.isNaN(entry.delaysMs[i]!) && entry.arrivalsMs[i]! > nowMs - this.#horizonMs) return true;
    }
    return false;
  }

  /** Drops the least recently heard services whose batches are all past the horizon. */
  #forgetStale(nowMs: number): void {
    for (const [key, entry] of this.#entries) {
      if (this.#hasRecent(entry, nowMs)) return;
      this.#entries.delete(key);
    }
  }

  #forgetOldest(): void {
    const oldest = this.#entries.keys().next();
    if (!oldest.done) this.#entries.delete(oldest.value);
  }
}
