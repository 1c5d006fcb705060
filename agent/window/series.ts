import type { SeriesTotals } from './series-totals.ts';
import type { SlidingWindow } from './sliding-window.ts';

/** One series: the samples of one operation (or one phase of it) of one service in one budget context. */
export interface Series {
  /** `service.namespace` of the service; '' when none (see agent/service-id.ts). */
  readonly namespace: string;
  readonly service: string;
  /** The operation name, or `OVERFLOW_OPERATION`. */
  readonly operation: string;
  /** The budget context (`emergency`, `routine`, ... or a configured one). */
  readonly context: string;
  /** The phase of the operation (`routing`, `execution`, ...); '' for the whole operation. */
  readonly phase: string;
  readonly window: SlidingWindow;
  /** Cumulative counts since the series was created, for exporters. */
  readonly totals: SeriesTotals;
  /**
   * Whether its registry has forgotten it (idle eviction, `delete`): samples written to it reach
   * no list, evaluation or export, so a holder resolves the series again.
   */
  readonly retired: boolean;
}

/**
 * A series as its registry creates it: names, window and totals are fixed (the object is frozen);
 * only the registry retires it, once, when it forgets it.
 */
export class RegisteredSeries implements Series {
  readonly namespace: string;
  readonly service: string;
  readonly operation: string;
  readonly context: string;
  readonly phase: string;
  readonly window: SlidingWindow;
  readonly totals: SeriesTotals;
  // A private field stays writable on a frozen object.
  #retired = false;

  constructor(
    [namespace, service, operation, context, phase]: readonly [string, string, string, string, string],
    window: SlidingWindow,
    totals: SeriesTotals,
  ) {
    this.namespace = namespace;
    this.service = service;
    this.operation = operation;
    this.context = context;
    this.phase = phase;
    this.window = window;
    this.totals = totals;
    Object.freeze(this);
  }

  get retired(): boolean {
    return this.#retired;
  }

  /** Marks the series forgotten by its registry (irreversible). */
  retire(): void {
    this.#retired = true;
  }
}
