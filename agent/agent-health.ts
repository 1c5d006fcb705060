import type { DimensionCounts } from './limits/index.ts';

/** Counters and gauges of the agent's own work. */
export interface AgentHealth {
  /** Series held (overflow series included). */
  readonly series: number;
  /** Lookups sent to an overflow series because window.maxSeries was reached. */
  readonly seriesOverflowed: number;
  /** Series removed after `limits.idleTime` without a sample. */
  readonly seriesEvicted: number;
  /** Services forgotten after `limits.idleTime` idle at NONE. */
  readonly servicesEvicted: number;
  /** Values folded into an overflow series or refused, per capped dimension. */
  readonly overflowed: DimensionCounts;
  /** Names truncated to `limits.nameLength`, per dimension. */
  readonly truncated: DimensionCounts;
  /** Samples refused: invalid durations, and end times older than the window. */
  readonly samplesDroppedInvalid: number;
  readonly samplesDroppedLate: number;
  /** Samples dropped because their duration was over `window.maxSpanDuration`. */
  readonly samplesDroppedDuration: number;
  readonly ticks: number;
  readonly evaluationSecondsTotal: number;
  readonly lastEvaluationSeconds: number;
}
