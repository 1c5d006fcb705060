/**
 * Events each series gained since the previous observation, good and bad, with counter resets
 * handled per series (as Prometheus' `increase()` does): summing per-series increases, rather than
 * differencing a sum, keeps a pruned series from looking like a reset of the whole service.
 */
import type { EventCounts, SloTotals } from './types.ts';

interface Mark {
  budgetMs: number;
  count: number;
  /** Events within budget (duration <= budgetMs), errors included. */
  within: number;
  errors: number;
}

/**
 * Events within `budgetMs` (duration <= budget): the buckets whose upper bound is at most the
 * budget. Exact when the budget is a bound (the agent makes every configured budget one);
 * otherwise an undercount, down to the bound below.
 */
export function eventsWithin(totals: SloTotals, budgetMs: number): number {
  let within = 0;
  const bounds = totals.boundsMs;
  for (let i = 0; i < bounds.length && (bounds[i] as number) <= budgetMs; i++) {
    within += totals.bucketCounts[i] as number;
  }
  return within;
}

/** Remembers, per series (by the identity of its totals object), the counts last seen. */
export class SeriesDeltas {
  #marks = new WeakMap<SloTotals, Mark>();

  /**
   * Events of one series since its previous call. Bad = over budget OR failed; the histogram
   * does not say which failures were also slow, so per call `bad = min(new events, new slow +
   * new errors)`: exact unless a slow event also failed between two calls, then an overcount
   * (conservative). `undefined` when there is nothing to count yet: a series seen for the first
   * time with `countNew` false, or whose budget changed (both are baselined).
   * A decrease of any counter is a reset: the current counts are all new.
   */
  delta(totals: SloTotals, budgetMs: number, countNew: boolean): EventCounts | undefined {
    const mark: Mark = {
      budgetMs,
      count: totals.count,
      within: eventsWithin(totals, budgetMs),
      errors: totals.errorCount,
    };
    const previous = this.#marks.get(totals);
    this.#marks.set(totals, mark);
    if (previous === undefined) return countNew ? badOf(mark, undefined) : undefined;
    if (previous.budgetMs !== budgetMs) return undefined;
    const reset =
      mark.count < previous.count || mark.within < previous.within || mark.errors < previous.errors;
    return badOf(mark, reset ? undefined : previous);
  }

  /** Forgets every series (their next call is a first sighting). */
  clear(): void {
    this.#marks = new WeakMap();
  }
}

function badOf(mark: Mark, previous: Mark | undefined): EventCounts {
  const total = mark.count - (previous?.count ?? 0);
  const slow = total - (mark.within - (previous?.within ?? 0));
  const bad = Math.min(total, slow + mark.errors - (previous?.errors ?? 0));
  return { good: total - bad, total };
}
