/**
 * Events each series gained since the previous observation, good and bad, with counter resets
 * handled per series (as Prometheus' `increase()` does): summing per-series increases, rather than
 * differencing a sum, keeps a pruned series from looking like a reset of the whole service.
 */
import type { EventCounts, SloTotals } from './types.ts';

interface Mark {
  count: number;
  /** Cumulative successful (not failed) events per bucket when last seen. */
  readonly ok: Float64Array;
}

/**
 * Good events: within `budgetMs` (the buckets whose upper bound is at most the budget) and not
 * failed (the per-bucket error counts). Exact when the budget is a bound (the agent makes every
 * configured budget one); otherwise an undercount, down to the bound below.
 */
export function goodEvents(totals: SloTotals, budgetMs: number): number {
  let good = 0;
  const bounds = totals.boundsMs;
  for (let i = 0; i < bounds.length && (bounds[i] as number) <= budgetMs; i++) {
    good += (totals.bucketCounts[i] as number) - (totals.errorBucketCounts[i] as number);
  }
  return good;
}

/**
 * Remembers, per series (by the identity of its totals object), the counts last seen. A series'
 * totals count from its creation, so a series seen for the first time is counted from zero
 * whenever it was created: between two observations, before the first one, or again after an
 * eviction. Only a series the tracker saw without counting it (it matched no SLO, e.g. before a
 * reload added one) is baselined, so a new SLO does not take in the series' past at once.
 */
export class SeriesDeltas {
  #marks = new WeakMap<SloTotals, Mark>();
  #seen = new WeakSet<SloTotals>();

  /**
   * Events of one series since its previous call; bad = over budget OR failed, exactly (the
   * totals count errors per bucket, and the counts last seen are kept per bucket, so a budget
   * that changed between two calls still splits the new events exactly). `undefined` for a
   * series only {@link skip}ped so far (baselined). A decrease of any counter is a reset: the
   * current counts are all new.
   */
  delta(totals: SloTotals, budgetMs: number): EventCounts | undefined {
    const previous = this.#marks.get(totals);
    const ok = okCounts(totals);
    if (previous === undefined) {
      this.#marks.set(totals, { count: totals.count, ok });
      if (this.#seen.has(totals)) return undefined;
      return { good: goodOf(ok, totals.boundsMs, budgetMs), total: totals.count };
    }
    const reset = totals.count < previous.count || ok.some((value, i) => value < (previous.ok[i] as number));
    const good = goodOf(ok, totals.boundsMs, budgetMs);
    const delta = reset
      ? { good, total: totals.count }
      : { good: good - goodOf(previous.ok, totals.boundsMs, budgetMs), total: totals.count - previous.count };
    previous.ok.set(ok);
    previous.count = totals.count;
    return delta;
  }

  /** Notes a series seen but not counted (it matches no SLO): if it ever is, it starts from now. */
  skip(totals: SloTotals): void {
    if (this.#marks.has(totals)) this.#marks.delete(totals);
    this.#seen.add(totals);
  }

  /** Forgets every series (their next call is a first sighting). */
  clear(): void {
    this.#marks = new WeakMap();
    this.#seen = new WeakSet();
  }
}

/** Successful events per bucket, in a fresh array. */
function okCounts(totals: SloTotals): Float64Array {
  const size = totals.bucketCounts.length;
  const ok = new Float64Array(size);
  for (let i = 0; i < size; i++)
    ok[i] = (totals.bucketCounts[i] as number) - (totals.errorBucketCounts[i] as number);
  return ok;
}

/** Good events in `ok` (per-bucket successes) for `budgetMs`: the buckets with a bound at most the budget. */
function goodOf(ok: Float64Array, boundsMs: readonly number[], budgetMs: number): number {
  let good = 0;
  for (let i = 0; i < boundsMs.length && (boundsMs[i] as number) <= budgetMs; i++) good += ok[i] as number;
  return good;
}
