/**
 * The agent's record path: series handles and what they share (the registry in force, the longest
 * span kept, the samples dropped before reaching a series). A handle looks its series up once and
 * then writes to it directly, with no string key and no map lookup per sample.
 */
import type { Criticality } from './admission/criticality.ts';
import type { SeriesHandle, SeriesNames } from './recorder.ts';
import type { Series, SeriesRegistry } from './window/index.ts';

/**
 * Sees every sample a series' window accepted, after it was recorded (a cluster worker's delta
 * buffer). Called on the record path: it must be cheap and never throw.
 */
export type SampleTap = (series: Series, durationMs: number, isError: boolean, endTimeMs: number) => void;

/**
 * What the agent does with a whole operation's samples beyond its window. Asked when a handle
 * resolves the series of a whole operation (phase ''): once per handle and series, again after a
 * reload or an eviction, never per sample.
 */
export interface OperationJudge {
  /**
   * @param criticality the class the handle was bound with (`SeriesNames.criticality`)
   * @returns where the samples the window keeps go next, or `undefined`: nowhere
   */
  bind(series: Series, criticality: Criticality | undefined): OperationFeed | undefined;
}

/** Where the kept samples of one bound whole operation go (the admission controller of its service). */
export interface OperationFeed {
  /**
   * Called on the record path after the window kept the sample: cheap, never throws.
   * @param criticality the request's class (a span's `headroom.criticality`); `undefined`: the series'
   */
  record(durationMs: number, endTimeMs: number, criticality: Criticality | undefined): void;
}

/** The state every handle of one agent reads; the agent rebinds it at each config reload. */
export class RecordPath {
  #registry: SeriesRegistry;
  #maxDurationMs: number;
  /** Bumped by {@link rebind}: a handle resolved under an older generation resolves again. */
  #generation = 0;
  /** Samples dropped before reaching a series: over `window.maxSpanDuration`, or behind the window. */
  #droppedDuration = 0;
  #droppedLate = 0;
  /** See {@link SampleTap}; `undefined` (the usual case) costs one check per sample. */
  tap: SampleTap | undefined;
  /** See {@link OperationJudge}; set by the agent. */
  judge: OperationJudge | undefined;

  /** @param maxDurationMs longer samples are dropped (`window.maxSpanDuration`), ms */
  constructor(registry: SeriesRegistry, maxDurationMs: number) {
    this.#registry = registry;
    this.#maxDurationMs = maxDurationMs;
  }

  /** Samples dropped as longer than `window.maxSpanDuration`. */
  get droppedDuration(): number {
    return this.#droppedDuration;
  }

  /** Samples dropped because they ended before the caller's `notBeforeMs`. */
  get droppedLate(): number {
    return this.#droppedLate;
  }

  /**
   * Points every handle at the parts of a new config (a reload): each resolves its series again
   * at its next sample, since the registry, name length or caps may have changed.
   */
  rebind(registry: SeriesRegistry, maxDurationMs: number): void {
    this.#registry = registry;
    this.#maxDurationMs = maxDurationMs;
    this.#generation++;
  }

  /** A new handle of the series `names` bind (see `Recorder.series`). */
  series(names: SeriesNames): SeriesHandle {
    return new BoundSeries(this, names);
  }

  /**
   * The checks made before a sample reaches a series: whether it is kept, counting it otherwise.
   * `durationMs > maxDurationMs` drops it (reason `duration`), `endTimeMs < notBeforeMs` too (`late`).
   */
  admits(durationMs: number, endTimeMs: number, notBeforeMs: number): boolean {
    if (durationMs > this.#maxDurationMs) {
      this.#droppedDuration++;
      return false;
    }
    if (endTimeMs < notBeforeMs) {
      this.#droppedLate++;
      return false;
    }
    return true;
  }

  /** The current generation (see {@link rebind}). */
  get generation(): number {
    return this.#generation;
  }

  /** The registry in force. */
  get registry(): SeriesRegistry {
    return this.#registry;
  }
}

/**
 * A handle keeps the series it resolved while that series is the one a lookup by its names would
 * return: not retired (evicted or deleted), same generation, and found under exactly the names
 * given. A resolution that truncated a name or folded into an overflow series is not kept: each
 * sample looks it up again, so truncations and refusals are counted per sample as before, and the
 * handle leaves the overflow series as soon as a cap has room again.
 */
class BoundSeries implements SeriesHandle {
  readonly #path: RecordPath;
  readonly #namespace: string;
  readonly #service: string;
  readonly #operation: string;
  readonly #context: string;
  readonly #phase: string;
  readonly #criticality: Criticality | undefined;
  #series: Series | undefined;
  /** Where the whole operation's kept samples go next; bound with the series. */
  #feed: OperationFeed | undefined;
  #generation = -1;

  constructor(path: RecordPath, names: SeriesNames) {
    this.#path = path;
    this.#namespace = names.namespace ?? '';
    this.#service = names.service;
    this.#operation = names.operation;
    this.#context = names.context;
    this.#phase = names.phase ?? '';
    this.#criticality = names.criticality;
  }

  record(
    durationMs: number,
    isError: boolean,
    endTimeMs: number,
    notBeforeMs = Number.NEGATIVE_INFINITY,
    criticality?: Criticality,
  ): void {
    if (!this.#path.admits(durationMs, endTimeMs, notBeforeMs)) return;
    let series = this.#series;
    if (series === undefined || series.retired || this.#generation !== this.#path.generation) {
      series = this.#resolve();
    }
    if (!series.window.record(durationMs, isError, endTimeMs)) return;
    series.totals.record(durationMs, isError);
    this.#path.tap?.(series, durationMs, isError, endTimeMs);
    this.#feed?.record(durationMs, endTimeMs, criticality);
  }

  #resolve(): Series {
    const path = this.#path;
    const series = path.registry.resolve(
      this.#service,
      this.#operation,
      this.#context,
      this.#phase,
      this.#namespace,
    );
    const exact =
      series.operation === this.#operation &&
      series.context === this.#context &&
      series.phase === this.#phase &&
      series.service === this.#service &&
      series.namespace === this.#namespace;
    this.#series = exact ? series : undefined;
    // An inexact resolution (a name cut, an overflow series) resolves at every sample: not judged.
    this.#feed = exact && this.#phase === '' ? path.judge?.bind(series, this.#criticality) : undefined;
    this.#generation = path.generation;
    return series;
  }
}
