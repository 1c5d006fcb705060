/** The record path's contract: what the span processor and the OTLP receiver feed. */
export interface Recorder {
  /**
   * Records one finished operation. Never throws; invalid, absurdly long and late samples are
   * dropped and counted by reason.
   * @param phase the phase name, or '' for the whole operation
   * @param durationMs the span's own duration
   * @param endTimeMs the span's end time, ms since the epoch
   * @param namespace `service.namespace` of the service; '' (the default) when none
   * @param notBeforeMs end times before this are late (dropped, counted); @default -Infinity
   */
  record(
    service: string,
    operation: string,
    context: string,
    phase: string,
    durationMs: number,
    isError: boolean,
    endTimeMs: number,
    namespace?: string,
    notBeforeMs?: number,
  ): void;
}
