/**
 * The record path's contract: what the span processor and the OTLP receiver feed. A caller binds a
 * series once (per tracked operation, per classified span shape) and records through the handle.
 */

import type { Criticality } from './admission/criticality.ts';

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
  /**
   * The class the caller classified the whole operation's spans with (the `criticality` of the
   * YAML rule that matched them): its budget multiplier then scales the series' budget.
   * @default the series' class from YAML (rule naming the operation > context > CRITICAL)
   */
  readonly criticality?: Criticality;
}

/** One series, bound by its names: records finished operations into it. */
export interface SeriesHandle {
  /**
   * Records one finished operation. Never throws; invalid, absurdly long and late samples are
   * dropped and counted by reason.
   * @param durationMs the span's own duration, ms
   * @param endTimeMs the span's end time, ms since the epoch
   * @param notBeforeMs end times before this are late (dropped, counted); @default -Infinity
   * @param criticality the request's class (a span's `headroom.criticality`): a whole operation's
   *   duration over the budget of that class feeds the admission controller of its service;
   *   @default the series' class
   */
  record(
    durationMs: number,
    isError: boolean,
    endTimeMs: number,
    notBeforeMs?: number,
    criticality?: Criticality,
  ): void;
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
