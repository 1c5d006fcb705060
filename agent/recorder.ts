/**
 * The record path's contract: what the span processor and the OTLP receiver feed. A caller binds a
 * series once (per tracked operation, per classified span shape) and records through the handle.
 */

/** The names a series is bound by, as a span gives them (long names are cut when resolved). */
export interface SeriesNames {
  /** `service.namespace` of the service; @default '' (none) */
  readonly namespace?: string;
  readonly service: string;
  readonly operation: string;
  /** The budget context (`emergency`, `routine`, ... or a configured one). */
  readonly context: string;
  /** The phase of the operation; @default '' (the whole operation) */
  readonly phase?: string;
}

/** One series, bound by its names: records finished operations into it. */
export interface SeriesHandle {
  /**
   * Records one finished operation. Never throws; invalid, absurdly long and late samples are
   * dropped and counted by reason.
   * @param durationMs the span's own duration, ms
   * @param endTimeMs the span's end time, ms since the epoch
   * @param notBeforeMs end times before this are late (dropped, counted); @default -Infinity
   */
  record(durationMs: number, isError: boolean, endTimeMs: number, notBeforeMs?: number): void;
}

/** What feeds samples into series. */
export interface Recorder {
  /**
   * The handle of the series `names` bind. Cheap, and resolves nothing yet: its series is looked up
   * (and created, under the cardinality caps) at the first sample kept. Keep the handle and record
   * through it; it follows the series across idle eviction and config reloads by itself.
   * @example
   * const handle = agent.series({ service: 'checkout', operation: 'charge-card', context: 'routine' });
   * handle.record(durationMs, false, endTimeMs);
   */
  series(names: SeriesNames): SeriesHandle;
}
