/** Counters and gauges of the agent's own work. */
export interface AgentHealth {
  /** Series held (overflow series included). */
  readonly series: number;
  /** Lookups sent to an overflow series because window.maxSeries was reached. */
  readonly seriesOverflowed: number;
  /** Samples refused: invalid durations, and end times older than the window. */
  readonly samplesDroppedInvalid: number;
  readonly samplesDroppedLate: number;
  /** Samples dropped because their duration was over `window.maxSpanDuration`. */
  readonly samplesDroppedDuration: number;
  readonly ticks: number;
  readonly evaluationSecondsTotal: number;
  readonly lastEvaluationSeconds: number;
}
