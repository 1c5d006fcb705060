/**
 * `headroom_state_*`: the durable state store, in both modes when one is configured: how it was
 * opened (a state set), whether checkpoints are on, how many were written or failed, their size
 * and the last one's duration.
 */
import type { MetricSource } from './component-metrics.ts';
import { METRICS } from './metric-descriptors.ts';

/**
 * How the store is used: `persistent` (open, state restored and checkpointed), `opening` (embedded
 * mode, before the store is open: state in memory meanwhile), `memory_locked` (embedded mode:
 * another process held the store past `storage.lockTimeout`; state in memory only),
 * `memory_unavailable` (embedded mode: the store could not be opened; state in memory only).
 */
export type StoreMode = 'persistent' | 'opening' | 'memory_locked' | 'memory_unavailable';

const STORE_MODES: readonly StoreMode[] = ['persistent', 'opening', 'memory_locked', 'memory_unavailable'];

/** What {@link stateMetrics} reads; the app's checkpoints satisfy `checkpoints`. */
export interface StateStatusView {
  readonly mode: StoreMode;
  /** Absent until the store is open, and when it never opened. */
  readonly checkpoints?: {
    readonly written: number;
    readonly failed: number;
    readonly enabled: boolean;
    /** Size of the values written over every checkpoint, bytes (JSON text). */
    readonly bytes: number;
    /** How long the last checkpoint written took, ms; undefined before the first. */
    readonly lastDurationMs: number | undefined;
  };
}

/** The state store's metrics from `status`, read at each collection. */
export function stateMetrics(status: () => StateStatusView): MetricSource {
  return (sink) => {
    const { mode, checkpoints } = status();
    sink.gauge(
      METRICS.stateStoreMode,
      STORE_MODES.map((each) => ({ attributes: { mode: each }, value: each === mode ? 1 : 0 })),
    );
    sink.gauge(METRICS.stateCheckpointsEnabled, [{ attributes: {}, value: checkpoints?.enabled ? 1 : 0 }]);
    sink.counter(METRICS.stateCheckpoints, [{ attributes: {}, value: checkpoints?.written ?? 0 }]);
    sink.counter(METRICS.stateCheckpointFailures, [{ attributes: {}, value: checkpoints?.failed ?? 0 }]);
    sink.counter(METRICS.stateCheckpointBytes, [{ attributes: {}, value: checkpoints?.bytes ?? 0 }]);
    const lastMs = checkpoints?.lastDurationMs;
    // Offered without a point before the first checkpoint, so a prom-client registry knows the family.
    sink.gauge(
      METRICS.stateCheckpointDuration,
      lastMs === undefined ? [] : [{ attributes: {}, value: lastMs / 1000 }],
    );
  };
}
