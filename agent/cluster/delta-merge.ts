/**
 * The primary's side of a delta: each series' slots merged into the agent's window of the same
 * series (created under the agent's caps, as a local sample would create it) and its counts added
 * to the series' totals, so the agent judges and exports the whole group's samples.
 */
import { isFiniteNumber, isRecord } from '../durable-state.ts';
import type { SeriesRegistry } from '../window/index.ts';
import { type DeltaWindow, isNamesTuple } from './protocol.ts';

/** What merging one delta did. */
export interface MergeCounts {
  /** Series deltas merged. */
  readonly series: number;
  /** Series deltas refused: malformed, or histogram counts of other bounds. */
  readonly seriesRefused: number;
  /** Slots dropped: malformed or older than the window. */
  readonly slotsDropped: number;
}

/**
 * Merges `series` (a delta's, unchecked) into `registry`, whose windows have the shape `window`
 * (the caller checked the delta's against it). Never throws.
 */
export function mergeDelta(registry: SeriesRegistry, window: DeltaWindow, series: unknown): MergeCounts {
  let merged = 0;
  let refused = 0;
  let slotsDropped = 0;
  for (const delta of Array.isArray(series) ? series : []) {
    if (!isRecord(delta) || !isNamesTuple(delta.names) || !Array.isArray(delta.slots)) {
      refused++;
      continue;
    }
    const [namespace, service, operation, context, phase] = delta.names;
    const target = registry.resolve(service, operation, context, phase, namespace);
    if (!target.totals.addCounts(delta.totals)) {
      refused++;
      continue;
    }
    const lastRecordMs = isFiniteNumber(delta.lastRecordMs) ? delta.lastRecordMs : null;
    const result = target.window.mergeState({ ...window, cursor: 0, lastRecordMs, slots: delta.slots });
    slotsDropped += result.dropped;
    merged++;
  }
  return { series: merged, seriesRefused: refused, slotsDropped };
}
