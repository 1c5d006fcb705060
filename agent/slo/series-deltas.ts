/**
 * Events each series gained since the previous observation, good and bad, with counter resets
 * handled per series (as Prometheus' `increase()` does): summing per-series increases, rather than
 * differencing a sum, keeps a pruned series from looking like a reset of the whole service.
 */
import type { EventCounts, SloTotals } from './types.ts';

interface Mark {
  budgetMs: number;
  count: number;
  /** Good events: within budget (duration <= budgetMs) and not failed. */
  good: number;
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

/** Remembers, per series (by the identity of its totals object), the counts last seen. */
export class SeriesDeltas {
  #marks = new WeakMap<SloTotals, Mark>();

  /**
   * Events of one series since its previous call; bad = over budget OR failed, exactly (the
   * totals count errors per bucket). `undefined` when there is nothing to count yet: a series
   * seen for the first time with `countNew` false, or whose budget changed (both are baselined).
   * A decrease of any counter is a reset: the current counts are all new.
   */
  delta(totals: SloTotals, budgetMs: number, countNew: boolean): EventCounts | undefined {
    const mark: Mark = { budgetMs, count: totals.count, good: goodEvents(totals, budgetMs) };
    const previous = this.#marks.get(totals);
    this.#marks.set(totals, mark);
    if (previous === undefined) return countNew ? badOf(mark, undefined) : undefined;
    if (previous.budgetMs !== budgetMs) return undefined;
    const reset = mark.count < previous.count || mark.good < previous.good;
    return badOf(mark, reset ? undefined : previous);
  }

  /** Forgets every series (their next call is a first sighting). */
  clear(): void {
    this.#marks = new WeakMap();
  }
}

function badOf(mark: Mark, previous: Mark | undefined): EventCounts {
  return { good: mark.good - (previous?.good ?? 0), total: mark.count - (previous?.count ?? 0) };
}
