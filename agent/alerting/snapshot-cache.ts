/** One window query per series per evaluation, however many rules read it. */
import type { WindowSnapshot } from '../window/types.ts';
import type { AlertSeries } from './types.ts';

export class SnapshotCache {
  readonly #atMs: number;
  readonly #snapshots = new Map<AlertSeries, WindowSnapshot>();

  /** @param atMs the evaluation time every snapshot ends at, ms */
  constructor(atMs: number) {
    this.#atMs = atMs;
  }

  /** The snapshot of the whole window of `series` at the evaluation time. */
  of(series: AlertSeries): WindowSnapshot {
    let snapshot = this.#snapshots.get(series);
    if (snapshot === undefined) {
      snapshot = series.window.snapshot(this.#atMs);
      this.#snapshots.set(series, snapshot);
    }
    return snapshot;
  }
}
